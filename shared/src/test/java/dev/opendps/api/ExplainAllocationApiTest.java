package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.config.Setting;
import dev.opendps.domain.AccessRight;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.SharedAccessPolicy;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.allocation.AzureRegions;
import dev.opendps.domain.allocation.GeoLocation;
import dev.opendps.domain.allocation.WeightedHashAllocation;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.testing.TestCredentials;
import dev.opendps.testing.WebhookTestServer;
import dev.opendps.wire.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code POST /explain/{registrationId}}: how a registration would be decided, shown without registering — and
 * then checked against what a real registration of the same device does.
 */
class ExplainAllocationApiTest {
    private static final String HUB_1 = "local-hub-1.localhost";
    private static final String HUB_2 = "local-hub-2.localhost";
    private static final String FUNCTION_KEY = "ZXhwbGFpbi1mdW5jdGlvbi1rZXk=";

    @TempDir
    java.nio.file.Path dataDir;

    ServiceApiFixture dps;
    DeviceApi devices;
    String scope;
    WebhookTestServer webhook;

    @BeforeEach
    void start() throws Exception {
        dps = new ServiceApiFixture(dataDir, Map.of(Setting.CUSTOM_ALLOCATION_TIMEOUT_SECONDS.key(), "1",
                Setting.HUB_LOCATIONS.key(),
                "{\"" + HUB_1 + "\":{\"region\":\"westeurope\"},\"" + HUB_2 + "\":{\"lat\":40.7,\"lon\":-74.0}}"));
        devices = dps.application.deviceApi();
        scope = dps.instance.idScope();
        webhook = new WebhookTestServer();
    }

    @AfterEach
    void stop() throws Exception {
        webhook.close();
        dps.close();
    }

    // --- the policies -----------------------------------------------------------------------------------

    @Test
    void hashedShowsEachCandidatesScoreAndTheWinnerIsWhereTheDeviceThenLands() {
        JsonNode enrollment = putEnrollment("hash-1", "");

        JsonNode explanation = explain("hash-1", null);

        assertThat(explanation.at("/enrollment/type").asText()).isEqualTo("individualEnrollment");
        assertThat(explanation.at("/enrollment/enabled").asBoolean()).isTrue();
        assertThat(explanation.get("currentRegistration").isNull()).isTrue();
        assertThat(explanation.at("/allocation/policy").asText()).isEqualTo("hashed");
        assertThat(explanation.at("/allocation/policySource").asText()).isEqualTo("instanceDefault");
        JsonNode candidates = explanation.at("/allocation/candidates");
        assertThat(candidates).hasSize(2);
        String best = null;
        double bestScore = 0;
        for (JsonNode candidate : candidates) {
            LinkedHub hub = dps.instance.linkedHub(candidate.get("hostName").asText()).orElseThrow();
            assertThat(candidate.get("score").asDouble()).isEqualTo(WeightedHashAllocation.score("hash-1", hub));
            assertThat(candidate.get("allocationWeight").asInt()).isEqualTo(1);
            assertThat(candidate.get("applyAllocationPolicy").asBoolean()).isTrue();
            if (candidate.get("score").asDouble() > bestScore) {
                best = hub.hostName();
                bestScore = candidate.get("score").asDouble();
            }
        }
        JsonNode outcome = explanation.get("outcome");
        assertThat(outcome.get("status").asText()).isEqualTo("assigned");
        assertThat(outcome.get("assignedHub").asText()).isEqualTo(best);
        assertThat(outcome.get("deviceId").asText()).isEqualTo("hash-1");
        assertThat(outcome.get("errorCode").isNull()).isTrue();
        assertThat(explanation.get("steps").toString()).contains("score", "Outcome: assigned to " + best);

        assertThat(register("hash-1", primaryKey(enrollment), null).get("assignedHub").asText()).isEqualTo(best);
    }

    @Test
    void staticNamesItsOneHubAndWhetherItIsLinked() {
        putEnrollment("static-1", ",\"allocationPolicy\":\"static\",\"iotHubs\":[\"" + HUB_2 + "\"]");
        putEnrollment("static-2", ",\"allocationPolicy\":\"static\",\"iotHubs\":[\"gone.azure-devices.net\"]");

        JsonNode linked = explain("static-1", null);
        JsonNode unlinked = explain("static-2", null);

        assertThat(linked.at("/allocation/policySource").asText()).isEqualTo("enrollment");
        assertThat(linked.at("/allocation/candidates")).hasSize(1);
        assertThat(linked.at("/allocation/candidates/0/hostName").asText()).isEqualTo(HUB_2);
        assertThat(linked.at("/allocation/candidates/0/linked").asBoolean()).isTrue();
        assertThat(linked.at("/allocation/candidates/0/chosen").asBoolean()).isTrue();
        assertThat(linked.at("/outcome/assignedHub").asText()).isEqualTo(HUB_2);
        assertThat(unlinked.at("/allocation/candidates/0/linked").asBoolean()).isFalse();
        assertThat(unlinked.at("/outcome/status").asText()).isEqualTo("failed");
        assertThat(unlinked.at("/outcome/errorCode").asInt()).isEqualTo(400208);
        assertThat(unlinked.at("/outcome/message").asText()).contains("gone.azure-devices.net", "not linked");
    }

    @Test
    void geoLatencyShowsTheDeviceLocationAndEachHubsDistance() {
        JsonNode enrollment = putEnrollment("geo-1", ",\"allocationPolicy\":\"geoLatency\"");

        JsonNode explanation = explain("geo-1", "{\"payload\":{\"location\":{\"lat\":48.86,\"lon\":2.35}}}");

        assertThat(explanation.at("/allocation/deviceLocation")).isEqualTo(json("{\"lat\":48.86,\"lon\":2.35}"));
        JsonNode hub1 = candidate(explanation, HUB_1);
        JsonNode hub2 = candidate(explanation, HUB_2);
        GeoLocation westEurope = AzureRegions.find("westeurope").orElseThrow();
        assertThat(hub1.get("location")).isEqualTo(json("{\"lat\":" + westEurope.latitude() + ",\"lon\":"
                + westEurope.longitude() + "}"));
        assertThat(hub1.get("distanceKm").asDouble()).isBetween(400.0, 470.0);
        assertThat(hub2.get("distanceKm").asDouble()).isGreaterThan(5000.0);
        assertThat(hub1.get("chosen").asBoolean()).isTrue();
        assertThat(explanation.at("/outcome/assignedHub").asText()).isEqualTo(HUB_1);
        assertThat(register("geo-1", primaryKey(enrollment), "{\"location\":{\"lat\":48.86,\"lon\":2.35}}")
                .get("assignedHub").asText()).isEqualTo(HUB_1);
    }

    @Test
    void geoLatencyWithoutALocationSaysItFallsBackToTheWeightedHash() {
        putEnrollment("geo-2", ",\"allocationPolicy\":\"geoLatency\"");

        JsonNode explanation = explain("geo-2", "{\"payload\":{\"fw\":\"1.0\"}}");

        assertThat(explanation.at("/allocation").has("deviceLocation")).isFalse();
        assertThat(explanation.get("steps").toString()).contains("No device location in the payload: weighted hash.");
        assertThat(explanation.at("/outcome/assignedHub").asText()).isEqualTo(
                WeightedHashAllocation.choose("geo-2", dps.instance.linkedHubs()).orElseThrow().hostName());
    }

    @Test
    void customWithoutCallingShowsTheRequestTheWebhookWouldGetAndCallsNothing() {
        putEnrollment("cust-1", customPolicy());

        ApiResponse response = explainResponse("cust-1", "{\"payload\":{\"fw\":\"1.0\"}}");

        JsonNode explanation = body(response);
        JsonNode hook = explanation.at("/allocation/webhook");
        assertThat(webhook.received()).isEmpty();
        assertThat(hook.get("url").asText()).isEqualTo(webhook.url("/api/allocate?****"));
        assertThat(hook.get("called").asBoolean()).isFalse();
        assertThat(hook.has("statusCode")).isFalse();
        JsonNode request = hook.get("request");
        assertThat(request.at("/individualEnrollment/registrationId").asText()).isEqualTo("cust-1");
        assertThat(request.at("/individualEnrollment/attestation")).isEqualTo(json("{\"type\":\"symmetricKey\"}"));
        assertThat(request.at("/individualEnrollment/customAllocationDefinition/webhookUrl").asText())
                .isEqualTo(webhook.url("/api/allocate?****"));
        assertThat(request.get("deviceRuntimeContext")).isEqualTo(json("{\"registrationId\":\"cust-1\","
                + "\"symmetricKey\":{},\"payload\":{\"fw\":\"1.0\"}}"));
        assertThat(request.get("linkedHubs")).isEqualTo(json("[\"" + HUB_1 + "\",\"" + HUB_2 + "\"]"));
        assertThat(explanation.at("/outcome/status").asText()).isEqualTo("undecided");
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain(FUNCTION_KEY);
    }

    @Test
    void customWithCallWebhookShowsTheWebhooksAnswerAndWhetherItIsAccepted() throws Exception {
        JsonNode enrollment = putEnrollment("cust-2", customPolicy());
        webhook.answer(200, "{\"iotHubHostName\":\"" + HUB_2 + "\",\"payload\":{\"hello\":\"cust-2\"}}");

        JsonNode explanation = explain("cust-2", "{\"callWebhook\":true}");

        assertThat(webhook.received()).hasSize(1);
        JsonNode sent = Json.parse(webhook.last().body().getBytes(StandardCharsets.UTF_8));
        JsonNode hook = explanation.at("/allocation/webhook");
        assertThat(hook.get("request")).isEqualTo(sent);
        assertThat(hook.get("called").asBoolean()).isTrue();
        assertThat(hook.get("statusCode").asInt()).isEqualTo(200);
        assertThat(hook.get("responseBody")).isEqualTo(json("{\"iotHubHostName\":\"" + HUB_2
                + "\",\"payload\":{\"hello\":\"cust-2\"}}"));
        assertThat(hook.get("accepted").asBoolean()).isTrue();
        assertThat(explanation.at("/outcome/status").asText()).isEqualTo("assigned");
        assertThat(explanation.at("/outcome/assignedHub").asText()).isEqualTo(HUB_2);
        assertThat(explanation.at("/outcome/payload")).isEqualTo(json("{\"hello\":\"cust-2\"}"));
        assertNothingRegistered("cust-2");

        assertThat(register("cust-2", primaryKey(enrollment), null).get("assignedHub").asText()).isEqualTo(HUB_2);
    }

    @Test
    void customWithCallWebhookShowsARefusedAnswerAsNotAccepted() {
        putEnrollment("cust-3", customPolicy());
        webhook.answer(500, "{\"error\":\"boom\"}");

        JsonNode explanation = explain("cust-3", "{\"callWebhook\":true}");

        assertThat(explanation.at("/allocation/webhook/statusCode").asInt()).isEqualTo(500);
        assertThat(explanation.at("/allocation/webhook/accepted").asBoolean()).isFalse();
        assertThat(explanation.at("/outcome/status").asText()).isEqualTo("failed");
        assertThat(explanation.at("/outcome/errorCode").asInt()).isEqualTo(400207);
        assertThat(explanation.at("/outcome/message").asText()).isEqualTo("Custom allocation failed with status code: 500");
    }

    // --- matching ---------------------------------------------------------------------------------------

    @Test
    void aGroupDeviceIsExplainedThroughTheGroupTheRequestNames() {
        JsonNode group = putGroup("explain-group", "{\"attestation\":{\"type\":\"symmetricKey\"},\"iotHubs\":[\""
                + HUB_2 + "\"]}");

        JsonNode explanation = explain("group-dev-1", "{\"enrollmentGroupId\":\"explain-group\"}");

        assertThat(explanation.at("/enrollment/type").asText()).isEqualTo("enrollmentGroup");
        assertThat(explanation.at("/enrollment/enrollmentGroupId").asText()).isEqualTo("explain-group");
        assertThat(explanation.at("/enrollment/matchedBy").asText()).isEqualTo("enrollmentGroupId");
        assertThat(explanation.at("/allocation/candidates")).hasSize(1);
        assertThat(explanation.at("/outcome/assignedHub").asText()).isEqualTo(HUB_2);
        assertThat(explanation.at("/outcome/deviceId").asText()).isEqualTo("group-dev-1");
        assertThat(explanation.toString()).doesNotContain(primaryKey(group));

        String deviceKey = SymmetricKeys.deriveDeviceKey(primaryKey(group), "group-dev-1");
        assertThat(register("group-dev-1", deviceKey, null).get("assignedHub").asText()).isEqualTo(HUB_2);
    }

    @Test
    void aDisabledEnrollmentEndsDisabledWithoutAllocating() {
        putEnrollment("off-1", ",\"provisioningStatus\":\"disabled\"," + customPolicy().substring(1));

        JsonNode explanation = explain("off-1", "{\"callWebhook\":true}");

        assertThat(explanation.at("/enrollment/enabled").asBoolean()).isFalse();
        assertThat(explanation.at("/enrollment/provisioningStatus").asText()).isEqualTo("disabled");
        assertThat(explanation.at("/allocation/evaluated").asBoolean()).isFalse();
        assertThat(explanation.at("/allocation/webhook").isNull()).isTrue();
        assertThat(explanation.at("/outcome/status").asText()).isEqualTo("disabled");
        assertThat(explanation.at("/outcome/message").asText()).isEqualTo("The enrollment of this device is disabled.");
        assertThat(webhook.received()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "migrate, true,  true,  reallocated, " + HUB_2,
            "reset,   true,  false, reallocated, " + HUB_2,
            "never,   false, true,  kept,        " + HUB_1,
            "never,   false, false, kept,        " + HUB_1})
    void anAssignedDeviceIsExplainedByItsReprovisionPolicy(String name, boolean updateHubAssignment,
                                                           boolean migrateDeviceData, String hub, String expected) {
        String id = "again-" + name + "-" + migrateDeviceData;
        JsonNode enrollment = putEnrollment(id, ",\"iotHubs\":[\"" + HUB_1 + "\"]");
        register(id, primaryKey(enrollment), null);
        replaceEnrollment(id, ",\"iotHubs\":[\"" + HUB_2 + "\"],\"reprovisionPolicy\":{\"updateHubAssignment\":"
                + updateHubAssignment + ",\"migrateDeviceData\":" + migrateDeviceData + "}");

        JsonNode explanation = explain(id, null);

        assertThat(explanation.at("/currentRegistration/assignedHub").asText()).isEqualTo(HUB_1);
        assertThat(explanation.at("/currentRegistration/deviceId").asText()).isEqualTo(id);
        assertThat(explanation.at("/currentRegistration/substatus").asText()).isEqualTo("initialAssignment");
        assertThat(explanation.at("/reprovisioning/policy").asText()).isEqualTo(name);
        assertThat(explanation.at("/reprovisioning/hub").asText()).isEqualTo(hub);
        assertThat(explanation.at("/outcome/assignedHub").asText()).isEqualTo(expected);
        assertThat(register(id, primaryKey(enrollment), null).get("assignedHub").asText()).isEqualTo(expected);
    }

    // --- no side effects --------------------------------------------------------------------------------

    @Test
    void explainingWritesNoRegistrationStateNoHubIdentityAndNoTpmChallenge() {
        putEnrollment("quiet-1", "");
        dps.api.individualEnrollment(dps.owner("PUT").json("{\"attestation\":{\"type\":\"tpm\",\"tpm\":"
                + "{\"endorsementKey\":\"" + TestCredentials.endorsementKeyBase64() + "\"}}}").build(), "quiet-tpm");

        assertThat(explainResponse("quiet-1", null).status()).isEqualTo(200);
        assertThat(explainResponse("quiet-tpm", null).status()).isEqualTo(200);

        assertNothingRegistered("quiet-1");
        assertNothingRegistered("quiet-tpm");
        assertThat(dps.application.stores().tpmChallenges().find(scope, "quiet-tpm")).isEmpty();
    }

    @Test
    void explainingAnAssignedDeviceLeavesItsStateAndIdentityAsTheyWere() {
        JsonNode enrollment = putEnrollment("quiet-2", ",\"iotHubs\":[\"" + HUB_1 + "\"]");
        register("quiet-2", primaryKey(enrollment), null);
        replaceEnrollment("quiet-2", ",\"iotHubs\":[\"" + HUB_2 + "\"]");
        DeviceRegistrationState before = state("quiet-2").orElseThrow();
        HubDevice identity = hubDevice(HUB_1, "quiet-2").orElseThrow();

        assertThat(explain("quiet-2", null).at("/outcome/assignedHub").asText()).isEqualTo(HUB_2);

        assertThat(state("quiet-2")).contains(before);
        assertThat(hubDevice(HUB_1, "quiet-2")).contains(identity);
        assertThat(hubDevice(HUB_2, "quiet-2")).isEmpty();
    }

    // --- errors -----------------------------------------------------------------------------------------

    @Test
    void anUnknownDeviceWithoutAGroupIs404() {
        ApiResponse response = explainResponse("nobody", null);

        assertThat(response.status()).isEqualTo(404);
        assertThat(body(response).get("errorCode").asInt()).isEqualTo(404202);
        assertThat(body(response).get("message").asText()).contains("No individual enrollment", "'nobody'",
                "no enrollmentGroupId was given");
        assertThat(body(response).has("trackingId")).isTrue();
    }

    @Test
    void anUnknownGroupIs404() {
        ApiResponse response = explainResponse("nobody", "{\"enrollmentGroupId\":\"no-such-group\"}");

        assertThat(response.status()).isEqualTo(404);
        assertThat(body(response).get("errorCode").asInt()).isEqualTo(404203);
        assertThat(body(response).get("message").asText()).contains("no-such-group");
    }

    @Test
    void malformedOrMistypedBodiesAre400() {
        putEnrollment("bad-1", "");

        ApiResponse malformed = explainResponse("bad-1", "{\"payload\":");
        ApiResponse notAnObject = explainResponse("bad-1", "[1]");
        ApiResponse mistyped = explainResponse("bad-1", "{\"callWebhook\":\"yes\"}");

        assertThat(malformed.status()).isEqualTo(400);
        assertThat(body(malformed).get("errorCode").asInt()).isEqualTo(400012);
        assertThat(body(notAnObject).get("errorCode").asInt()).isEqualTo(400012);
        assertThat(mistyped.status()).isEqualTo(400);
        assertThat(body(mistyped).get("errorCode").asInt()).isEqualTo(400004);
    }

    @Test
    void onlyPostIsAllowed() {
        putEnrollment("get-1", "");

        ApiResponse response = dps.api.explainAllocation(dps.owner("GET").build(), "get-1");

        assertThat(response.status()).isEqualTo(405);
    }

    @Test
    void aReadOnlyPolicyMayExplain() {
        putEnrollment("ro-1", "");

        ApiResponse response = dps.api.explainAllocation(dps.as(dps.readOnly).method("POST").build(), "ro-1");

        assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void withoutAValidTokenIs401002AndWithoutTheRightsIs401003() {
        putEnrollment("auth-1", "");
        SharedAccessPolicy enrollmentsOnly = addPolicy("enrollments-only", EnumSet.of(AccessRight.EnrollmentRead));
        SharedAccessPolicy registrationsOnly = addPolicy("registrations-only",
                EnumSet.of(AccessRight.RegistrationStatusRead));

        ApiResponse anonymous = dps.api.explainAllocation(new ServiceApiFixture.Request(null).method("POST").build(),
                "auth-1");
        ApiResponse expired = dps.api.explainAllocation(new ServiceApiFixture.Request(ServiceApiFixture.token(
                dps.owner(), Instant.now().minus(Duration.ofHours(1)))).method("POST").build(), "auth-1");
        ApiResponse withoutRegistrationRead = dps.api.explainAllocation(dps.as(enrollmentsOnly).method("POST")
                .build(), "auth-1");
        ApiResponse withoutEnrollmentRead = dps.api.explainAllocation(dps.as(registrationsOnly).method("POST")
                .build(), "auth-1");

        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(body(anonymous).get("errorCode").asInt()).isEqualTo(401002);
        assertThat(body(expired).get("errorCode").asInt()).isEqualTo(401002);
        assertThat(withoutRegistrationRead.status()).isEqualTo(401);
        assertThat(body(withoutRegistrationRead).get("errorCode").asInt()).isEqualTo(401003);
        assertThat(body(withoutEnrollmentRead).get("errorCode").asInt()).isEqualTo(401003);
    }

    // --- fixtures ---------------------------------------------------------------------------------------

    private JsonNode explain(String registrationId, String body) {
        ApiResponse response = explainResponse(registrationId, body);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return body(response);
    }

    private ApiResponse explainResponse(String registrationId, String body) {
        ServiceApiFixture.Request request = dps.owner("POST");
        if (body != null) {
            request.json(body);
        }
        return dps.api.explainAllocation(request.build(), registrationId);
    }

    private static JsonNode candidate(JsonNode explanation, String hostName) {
        for (JsonNode candidate : explanation.at("/allocation/candidates")) {
            if (candidate.get("hostName").asText().equals(hostName)) {
                return candidate;
            }
        }
        throw new AssertionError("No candidate " + hostName + " in " + explanation);
    }

    private String customPolicy() {
        return ",\"allocationPolicy\":\"custom\",\"customAllocationDefinition\":{\"webhookUrl\":\""
                + webhook.url("/api/allocate?code=" + FUNCTION_KEY) + "\",\"apiVersion\":\"2021-10-01\"}";
    }

    /** An individual symmetric-key enrollment; {@code more} adds JSON fields. */
    private JsonNode putEnrollment(String registrationId, String more) {
        return putEnrollment(registrationId, more, null);
    }

    /** Replaces the enrollment's settings, keeping its keys. */
    private void replaceEnrollment(String registrationId, String more) {
        putEnrollment(registrationId, more, "*");
    }

    private JsonNode putEnrollment(String registrationId, String more, String ifMatch) {
        ServiceApiFixture.Request request = dps.owner("PUT").json("{\"registrationId\":\"" + registrationId
                + "\",\"attestation\":{\"type\":\"symmetricKey\"}" + more + "}");
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        ApiResponse response = dps.api.individualEnrollment(request.build(), registrationId);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return body(response);
    }

    private JsonNode putGroup(String id, String json) {
        ApiResponse response = dps.api.enrollmentGroup(dps.owner("PUT").json(json).build(), id);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return body(response);
    }

    private SharedAccessPolicy addPolicy(String name, EnumSet<AccessRight> rights) {
        SharedAccessPolicy policy = new SharedAccessPolicy(name, SymmetricKeys.generate(), SymmetricKeys.generate(),
                rights);
        ProvisioningInstance current = dps.application.stores().instances().findByHostName(ServiceApiFixture.HOST)
                .orElseThrow();
        List<SharedAccessPolicy> policies = new ArrayList<>(current.policies());
        policies.add(policy);
        dps.application.stores().instances().replace(current.withPolicies(policies), current.etag());
        return policy;
    }

    /** A symmetric-key registration that must end assigned; its registration state. */
    private JsonNode register(String registrationId, String base64Key, String payload) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.put("Authorization", SharedAccessSignature.sign(scope + "/registrations/" + registrationId,
                SharedAccessSignature.decodeKey(base64Key), Instant.now().plus(Duration.ofHours(1)), "registration"));
        String body = "{\"registrationId\":\"" + registrationId + "\""
                + (payload == null ? "" : ",\"payload\":" + payload) + "}";
        ApiResponse response = devices.register(new ApiRequest("PUT", headers, Map.of("api-version", "2021-06-01"),
                body.getBytes(StandardCharsets.UTF_8)), scope, registrationId);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(202);
        assertThat(body(response).get("status").asText()).isEqualTo("assigned");
        return body(response).get("registrationState");
    }

    private void assertNothingRegistered(String registrationId) {
        assertThat(state(registrationId)).isEmpty();
        assertThat(hubDevice(HUB_1, registrationId)).isEmpty();
        assertThat(hubDevice(HUB_2, registrationId)).isEmpty();
    }

    private Optional<DeviceRegistrationState> state(String registrationId) {
        return dps.application.stores().registrationStates().find(scope, registrationId);
    }

    private Optional<HubDevice> hubDevice(String hub, String deviceId) {
        return dps.application.stores().hubs().find(new LinkedHub(hub, 1, true, null), deviceId);
    }

    private static String primaryKey(JsonNode record) {
        return record.at("/attestation/symmetricKey/primaryKey").asText();
    }

    private static JsonNode json(String text) {
        return Json.parse(text.getBytes(StandardCharsets.UTF_8));
    }
}
