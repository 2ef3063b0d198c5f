package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.config.Setting;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.testing.WebhookTestServer;
import dev.opendps.wire.Json;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registration through enrollments with {@code allocationPolicy: custom} (dps-protocol.md §5) against a
 * webhook on 127.0.0.1: what the webhook receives, and what its answers do to the device and its hub.
 */
class CustomAllocationApiTest {
    private static final String HUB_1 = "local-hub-1.localhost";
    private static final String HUB_2 = "local-hub-2.localhost";
    private static final String FUNCTION_KEY = "Zm4ta2V5LW5ldmVyLXNlbnQ=";

    @TempDir
    java.nio.file.Path dataDir;

    ServiceApiFixture dps;
    DeviceApi devices;
    String scope;
    WebhookTestServer webhook;

    @BeforeEach
    void start() throws Exception {
        dps = new ServiceApiFixture(dataDir, Map.of(Setting.CUSTOM_ALLOCATION_TIMEOUT_SECONDS.key(), "1"));
        devices = dps.application.deviceApi();
        scope = dps.instance.idScope();
        webhook = new WebhookTestServer();
    }

    @AfterEach
    void stop() throws Exception {
        webhook.close();
        dps.close();
    }

    // --- the request ------------------------------------------------------------------------------------

    @Test
    void anIndividualDeviceIsDescribedToTheWebhookWithoutAnyKey() {
        JsonNode enrollment = customEnrollment("cust-1", webhookUrl(), "");
        webhook.answer(200, "{\"iotHubHostName\":\"" + HUB_2 + "\"}");

        register("cust-1", primaryKey(enrollment), "{\"modelId\":\"dtmi:contoso:x;1\"}");

        WebhookTestServer.Received call = webhook.last();
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/api/allocate");
        assertThat(call.query()).isEqualTo("code=" + FUNCTION_KEY);
        assertThat(call.header("Content-Type")).startsWith("application/json");
        JsonNode request = Json.parse(call.body().getBytes(StandardCharsets.UTF_8));
        assertThat(request.at("/individualEnrollment/registrationId").asText()).isEqualTo("cust-1");
        assertThat(request.at("/individualEnrollment/allocationPolicy").asText()).isEqualTo("custom");
        assertThat(request.at("/individualEnrollment/attestation")).isEqualTo(json("{\"type\":\"symmetricKey\"}"));
        assertThat(request.at("/individualEnrollment/customAllocationDefinition/webhookUrl").asText())
                .isEqualTo(webhook.url("/api/allocate?****"));
        assertThat(request.has("enrollmentGroup")).isFalse();
        assertThat(request.get("deviceRuntimeContext")).isEqualTo(json("{\"registrationId\":\"cust-1\","
                + "\"symmetricKey\":{},\"payload\":{\"modelId\":\"dtmi:contoso:x;1\"}}"));
        assertThat(request.get("linkedHubs")).isEqualTo(json("[\"" + HUB_1 + "\",\"" + HUB_2 + "\"]"));
        assertThat(call.body()).doesNotContain(primaryKey(enrollment), secondaryKey(enrollment), FUNCTION_KEY);
    }

    @Test
    void aGroupDeviceIsDescribedByItsGroupWithoutGroupOrDeviceKeysAndOfferedTheGroupsHubs() {
        JsonNode group = putGroup("cust-group", "{\"attestation\":{\"type\":\"symmetricKey\"},"
                + "\"allocationPolicy\":\"custom\",\"iotHubs\":[\"" + HUB_1 + "\"],"
                + "\"customAllocationDefinition\":{\"webhookUrl\":\"" + webhookUrl() + "\",\"apiVersion\":\"2021-10-01\"}}");
        String deviceKey = SymmetricKeys.deriveDeviceKey(primaryKey(group), "cust-group-dev");
        webhook.answer(200, "{\"iotHubHostName\":\"" + HUB_1 + "\"}");

        JsonNode answer = body(register("cust-group-dev", deviceKey, null));

        JsonNode request = Json.parse(webhook.last().body().getBytes(StandardCharsets.UTF_8));
        assertThat(request.at("/enrollmentGroup/enrollmentGroupId").asText()).isEqualTo("cust-group");
        assertThat(request.at("/enrollmentGroup/attestation")).isEqualTo(json("{\"type\":\"symmetricKey\"}"));
        assertThat(request.has("individualEnrollment")).isFalse();
        assertThat(request.get("deviceRuntimeContext"))
                .isEqualTo(json("{\"registrationId\":\"cust-group-dev\",\"symmetricKey\":{}}"));
        assertThat(request.get("linkedHubs")).isEqualTo(json("[\"" + HUB_1 + "\"]"));
        assertThat(webhook.last().body()).doesNotContain(primaryKey(group), secondaryKey(group), deviceKey, FUNCTION_KEY);
        assertThat(answer.at("/registrationState/assignedHub").asText()).isEqualTo(HUB_1);
        assertThat(answer.at("/registrationState/symmetricKey/enrollmentGroupId").asText()).isEqualTo("cust-group");
        assertThat(hubDevice(HUB_1, "cust-group-dev").orElseThrow().authentication().primaryKey()).isEqualTo(deviceKey);
    }

    @Test
    void aReturningDeviceIsSentItsCurrentHubAndDeviceId() {
        JsonNode enrollment = customEnrollment("cust-2", webhookUrl(), ",\"deviceId\":\"cust-2-device\"");
        webhook.answer(200, "{\"iotHubHostName\":\"" + HUB_1 + "\"}");
        register("cust-2", primaryKey(enrollment), null);

        register("cust-2", primaryKey(enrollment), null);

        assertThat(webhook.received()).hasSize(2);
        JsonNode first = Json.parse(webhook.received().get(0).body().getBytes(StandardCharsets.UTF_8));
        JsonNode second = Json.parse(webhook.last().body().getBytes(StandardCharsets.UTF_8));
        assertThat(first.get("deviceRuntimeContext").has("currentIotHubHostName")).isFalse();
        assertThat(first.get("deviceRuntimeContext").has("currentDeviceId")).isFalse();
        assertThat(second.at("/deviceRuntimeContext/currentIotHubHostName").asText()).isEqualTo(HUB_1);
        assertThat(second.at("/deviceRuntimeContext/currentDeviceId").asText()).isEqualTo("cust-2-device");
    }

    @Test
    void aDeviceThatKeepsItsHubIsOfferedOnlyThatHubAndStillGetsAFreshPayload() {
        JsonNode enrollment = customEnrollment("cust-3", webhookUrl(),
                ",\"reprovisionPolicy\":{\"updateHubAssignment\":false,\"migrateDeviceData\":false}");
        webhook.answer(200, "{\"iotHubHostName\":\"" + HUB_2 + "\",\"payload\":{\"call\":1}}");
        register("cust-3", primaryKey(enrollment), null);
        webhook.answer(200, "{\"iotHubHostName\":\"" + HUB_2 + "\",\"payload\":{\"call\":2}}");

        JsonNode again = body(register("cust-3", primaryKey(enrollment), null));

        assertThat(Json.parse(webhook.last().body().getBytes(StandardCharsets.UTF_8)).get("linkedHubs"))
                .isEqualTo(json("[\"" + HUB_2 + "\"]"));
        assertThat(again.at("/registrationState/assignedHub").asText()).isEqualTo(HUB_2);
        assertThat(again.at("/registrationState/payload")).isEqualTo(json("{\"call\":2}"));
    }

    // --- the answer -------------------------------------------------------------------------------------

    @Test
    void theWebhooksHubInitialTwinAndPayloadAreApplied() {
        JsonNode enrollment = customEnrollment("cust-4", webhookUrl(),
                ",\"initialTwin\":{\"tags\":{\"from\":\"enrollment\"},\"properties\":{\"desired\":{\"fw\":\"1.0\"}}}");
        webhook.answer(200, "{\"iotHubHostName\":\"" + HUB_2 + "\",\"initialTwin\":{\"tags\":{\"from\":\"webhook\"},"
                + "\"properties\":{\"desired\":{\"fw\":\"2.0\"}}},\"payload\":{\"welcome\":\"cust-4\"},\"IoTHub\":\"ignored\"}");

        ApiResponse response = register("cust-4", primaryKey(enrollment), null);

        assertThat(response.status()).isEqualTo(202);
        JsonNode state = body(response).get("registrationState");
        assertThat(body(response).get("status").asText()).isEqualTo("assigned");
        assertThat(state.get("assignedHub").asText()).isEqualTo(HUB_2);
        assertThat(state.get("payload")).isEqualTo(json("{\"welcome\":\"cust-4\"}"));
        HubDevice device = hubDevice(HUB_2, "cust-4").orElseThrow();
        assertThat(device.tags()).isEqualTo(json("{\"from\":\"webhook\"}"));
        assertThat(device.desiredProperties()).isEqualTo(json("{\"fw\":\"2.0\"}"));
        assertThat(device.authentication().primaryKey()).isEqualTo(primaryKey(enrollment));
        assertThat(hubDevice(HUB_1, "cust-4")).isEmpty();
    }

    @Test
    void withoutAnInitialTwinInTheAnswerTheEnrollmentsTwinApplies() {
        JsonNode enrollment = customEnrollment("cust-5", webhookUrl(), ",\"initialTwin\":{\"tags\":{\"from\":\"enrollment\"}}");
        webhook.answer(200, "{\"iotHubHostName\":\"" + HUB_1 + "\"}");

        JsonNode state = body(register("cust-5", primaryKey(enrollment), null)).get("registrationState");

        assertThat(state.has("payload")).isFalse();
        assertThat(hubDevice(HUB_1, "cust-5").orElseThrow().tags()).isEqualTo(json("{\"from\":\"enrollment\"}"));
    }

    @Test
    void aDeviceTheWebhookMovesUnderResetGetsTheWebhooksInitialTwinAndLeavesItsOldHub() {
        JsonNode enrollment = customEnrollment("cust-6", webhookUrl(), ",\"initialTwin\":{\"tags\":{\"from\":\"enrollment\"}},"
                + "\"reprovisionPolicy\":{\"updateHubAssignment\":true,\"migrateDeviceData\":false}");
        webhook.answer(200, "{\"iotHubHostName\":\"" + HUB_1 + "\"}");
        register("cust-6", primaryKey(enrollment), null);
        webhook.answer(200, "{\"iotHubHostName\":\"" + HUB_2 + "\",\"initialTwin\":{\"tags\":{\"from\":\"webhook\"}}}");

        JsonNode state = body(register("cust-6", primaryKey(enrollment), null)).get("registrationState");

        assertThat(state.get("assignedHub").asText()).isEqualTo(HUB_2);
        assertThat(state.get("substatus").asText()).isEqualTo("deviceDataReset");
        assertThat(hubDevice(HUB_2, "cust-6").orElseThrow().tags()).isEqualTo(json("{\"from\":\"webhook\"}"));
        assertThat(hubDevice(HUB_1, "cust-6")).isEmpty();
    }

    // --- failures ---------------------------------------------------------------------------------------

    @Test
    void aNon2xxAnswerFailsTheRegistrationWithDpsWording() {
        webhook.answer(500, "{\"iotHubHostName\":\"" + HUB_1 + "\"}");

        assertRegistrationFails("cust-10", webhookUrl(), 400207, "Custom allocation failed with status code: 500");
    }

    @Test
    void aWebhookThatDoesNotAnswerInTimeFailsTheRegistration() {
        webhook.answerAfter(Duration.ofSeconds(3), 200, "{\"iotHubHostName\":\"" + HUB_1 + "\"}");
        long started = System.nanoTime();

        assertRegistrationFails("cust-11", webhookUrl(), 400207,
                "Custom allocation failed: the webhook did not answer within 1 s.");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2900));
    }

    @Test
    void anUnreachableWebhookFailsTheRegistration() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        assertRegistrationFails("cust-12", "http://127.0.0.1:" + closedPort + "/api/allocate?code=" + FUNCTION_KEY,
                400207, "Custom allocation failed: the webhook could not be reached (connection refused).");
    }

    @Test
    void anAnswerThatIsNotJsonFailsTheRegistration() {
        webhook.answer(200, "<html>oops</html>");

        assertRegistrationFails("cust-13", webhookUrl(), 400207, "Custom allocation failed: the webhook's answer is not JSON.");
    }

    @Test
    void anAnswerWithoutAHubFailsTheRegistration() {
        webhook.answer(200, "{\"hub\":\"" + HUB_1 + "\"}");

        assertRegistrationFails("cust-14", webhookUrl(), 400207,
                "Custom allocation failed: the webhook's answer has no iotHubHostName.");
    }

    @Test
    void aPayloadThatIsNotAnObjectFailsTheRegistration() {
        webhook.answer(200, "{\"iotHubHostName\":\"" + HUB_1 + "\",\"payload\":\"not an object\"}");

        assertRegistrationFails("cust-15", webhookUrl(), 400207,
                "Custom allocation failed: the webhook's payload is not a JSON object.");
    }

    @Test
    void aHubThatWasNotOfferedFailsWith400208() {
        webhook.answer(200, "{\"iotHubHostName\":\"elsewhere.azure-devices.net\"}");

        assertRegistrationFails("cust-16", webhookUrl(), 400208, "Custom allocation chose the IoT hub "
                + "'elsewhere.azure-devices.net', which is not among the linked hubs offered: [" + HUB_1 + ", " + HUB_2 + "].");
    }

    // --- fixtures ---------------------------------------------------------------------------------------

    /** Registers a new custom-allocated device and checks it failed with nothing created in any hub. */
    private void assertRegistrationFails(String registrationId, String url, int errorCode, String message) {
        JsonNode enrollment = customEnrollment(registrationId, url, "");

        ApiResponse response = register(registrationId, primaryKey(enrollment), "{\"fw\":\"1\"}");

        assertThat(response.status()).isEqualTo(202);
        JsonNode answer = body(response);
        assertThat(answer.get("status").asText()).isEqualTo("failed");
        assertThat(answer.at("/registrationState/status").asText()).isEqualTo("failed");
        assertThat(answer.at("/registrationState/errorCode").asInt()).isEqualTo(errorCode);
        assertThat(answer.at("/registrationState/errorMessage").asText()).isEqualTo(message);
        assertThat(answer.at("/registrationState").has("assignedHub")).isFalse();
        assertThat(answer.at("/registrationState").has("payload")).isFalse();
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain(FUNCTION_KEY);
        assertThat(hubDevice(HUB_1, registrationId)).isEmpty();
        assertThat(hubDevice(HUB_2, registrationId)).isEmpty();
    }

    private String webhookUrl() {
        return webhook.url("/api/allocate?code=" + FUNCTION_KEY);
    }

    /** An individual symmetric-key enrollment with the custom policy; {@code more} adds JSON fields. */
    private JsonNode customEnrollment(String registrationId, String url, String more) {
        ApiResponse response = dps.api.individualEnrollment(dps.owner("PUT").json("{\"registrationId\":\""
                + registrationId + "\",\"attestation\":{\"type\":\"symmetricKey\"},\"allocationPolicy\":\"custom\","
                + "\"customAllocationDefinition\":{\"webhookUrl\":\"" + url + "\",\"apiVersion\":\"2021-10-01\"}"
                + more + "}").build(), registrationId);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return body(response);
    }

    private JsonNode putGroup(String id, String json) {
        ApiResponse response = dps.api.enrollmentGroup(dps.owner("PUT").json(json).build(), id);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return body(response);
    }

    /** A symmetric-key register call; {@code payload} is JSON or null for none. */
    private ApiResponse register(String registrationId, String base64Key, String payload) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.put("Authorization", SharedAccessSignature.sign(scope + "/registrations/" + registrationId,
                SharedAccessSignature.decodeKey(base64Key), Instant.now().plus(Duration.ofHours(1)), "registration"));
        String body = "{\"registrationId\":\"" + registrationId + "\"" + (payload == null ? "" : ",\"payload\":" + payload) + "}";
        return devices.register(new ApiRequest("PUT", headers, Map.of("api-version", "2021-06-01"),
                body.getBytes(StandardCharsets.UTF_8)), scope, registrationId);
    }

    private Optional<HubDevice> hubDevice(String hub, String deviceId) {
        return dps.application.stores().hubs().find(new LinkedHub(hub, 1, true, null), deviceId);
    }

    private static String primaryKey(JsonNode record) {
        return record.at("/attestation/symmetricKey/primaryKey").asText();
    }

    private static String secondaryKey(JsonNode record) {
        return record.at("/attestation/symmetricKey/secondaryKey").asText();
    }

    private static JsonNode json(String text) {
        return Json.parse(text.getBytes(StandardCharsets.UTF_8));
    }
}
