package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.domain.port.Page;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Device registration over the HTTP-neutral API (dps-protocol.md §1, §2.1, §6, §7) on a real embedded store. */
class DeviceApiTest {
    @TempDir
    java.nio.file.Path dataDir;

    ServiceApiFixture dps;
    DeviceApi devices;
    String scope;

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir);
        devices = dps.application.deviceApi();
        scope = dps.instance.idScope();
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
    }

    private JsonNode putEnrollment(String id, String json) {
        ApiResponse response = dps.api.individualEnrollment(dps.owner("PUT").json(json).build(), id);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return body(response);
    }

    private JsonNode putGroup(String id, String json) {
        ApiResponse response = dps.api.enrollmentGroup(dps.owner("PUT").json(json).build(), id);
        assertThat(response.status()).isEqualTo(200);
        return body(response);
    }

    private JsonNode symmetricEnrollment(String id) {
        return putEnrollment(id, "{\"registrationId\":\"" + id + "\",\"attestation\":{\"type\":\"symmetricKey\"},"
                + "\"capabilities\":{\"iotEdge\":true},"
                + "\"initialTwin\":{\"tags\":{\"site\":\"lab\"},\"properties\":{\"desired\":{\"fw\":\"1.2\"}}}}");
    }

    private String token(String registrationId, String base64Key, Instant expiry) {
        return SharedAccessSignature.sign(scope + "/registrations/" + registrationId,
                SharedAccessSignature.decodeKey(base64Key), expiry, "registration");
    }

    private String token(String registrationId, String base64Key) {
        return token(registrationId, base64Key, Instant.now().plus(Duration.ofHours(1)));
    }

    private ApiResponse register(String registrationId, String authorization, String body) {
        java.util.Map<String, String> headers = new java.util.HashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        return devices.register(new ApiRequest("PUT", headers, Map.of("api-version", "2019-03-31"),
                body.getBytes(StandardCharsets.UTF_8)), scope, registrationId);
    }

    private ApiResponse register(String registrationId, String base64Key) {
        return register(registrationId, token(registrationId, base64Key),
                "{\"registrationId\":\"" + registrationId + "\"}");
    }

    private static String primaryKey(JsonNode record) {
        return record.at("/attestation/symmetricKey/primaryKey").asText();
    }

    private static String secondaryKey(JsonNode record) {
        return record.at("/attestation/symmetricKey/secondaryKey").asText();
    }

    private HubDevice hubDevice(String hub, String deviceId) {
        return dps.application.stores().hubs().find(new LinkedHub(hub, 1, true, null), deviceId).orElseThrow();
    }

    @Test
    void anIndividualDeviceIsAssignedInTheRegisterAnswer() {
        JsonNode enrollment = symmetricEnrollment("dev-1");

        ApiResponse response = register("dev-1", primaryKey(enrollment));

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.headers()).containsEntry("retry-after", "3").containsKey("Server-Timing");
        JsonNode body = body(response);
        assertThat(body.get("operationId").asText()).matches("[A-Za-z0-9.-]+");
        assertThat(body.get("status").asText()).isEqualTo("assigned");
        JsonNode state = body.get("registrationState");
        assertThat(state.get("registrationId").asText()).isEqualTo("dev-1");
        assertThat(state.get("deviceId").asText()).isEqualTo("dev-1");
        assertThat(state.get("assignedHub").asText()).isIn("local-hub-1.localhost", "local-hub-2.localhost");
        assertThat(state.get("substatus").asText()).isEqualTo("initialAssignment");
        assertThat(state.get("createdDateTimeUtc").asText()).matches(".*\\.\\d{7}Z");
        assertThat(state.get("symmetricKey").isObject()).isTrue();
    }

    @Test
    void theHubIdentityGetsTheEnrollmentKeysEdgeCapabilityAndInitialTwin() {
        JsonNode enrollment = symmetricEnrollment("dev-2");
        String hub = body(register("dev-2", primaryKey(enrollment))).at("/registrationState/assignedHub").asText();

        HubDevice device = hubDevice(hub, "dev-2");

        assertThat(device.authentication().type()).isEqualTo("sas");
        assertThat(device.authentication().primaryKey()).isEqualTo(primaryKey(enrollment));
        assertThat(device.authentication().secondaryKey()).isEqualTo(secondaryKey(enrollment));
        assertThat(device.iotEdge()).isTrue();
        assertThat(device.tags().get("site").asText()).isEqualTo("lab");
        assertThat(device.desiredProperties().get("fw").asText()).isEqualTo("1.2");
    }

    @Test
    void theSecondaryKeyAuthenticatesTooAndReRegistrationKeepsHubAndDeviceId() {
        JsonNode enrollment = symmetricEnrollment("dev-3");
        JsonNode first = body(register("dev-3", primaryKey(enrollment))).get("registrationState");

        JsonNode second = body(register("dev-3", secondaryKey(enrollment))).get("registrationState");

        assertThat(second.get("status").asText()).isEqualTo("assigned");
        assertThat(second.get("assignedHub")).isEqualTo(first.get("assignedHub"));
        assertThat(second.get("deviceId")).isEqualTo(first.get("deviceId"));
        assertThat(second.get("createdDateTimeUtc")).isEqualTo(first.get("createdDateTimeUtc"));
        assertThat(second.get("etag")).isNotEqualTo(first.get("etag"));
    }

    @Test
    void aReturningDeviceWithRolledKeysGetsTheNewKeysInItsHubIdentity() {
        JsonNode enrollment = symmetricEnrollment("dev-12");
        String hub = body(register("dev-12", primaryKey(enrollment))).at("/registrationState/assignedHub").asText();
        String newPrimary = SymmetricKeys.generate();
        JsonNode rolled = body(dps.api.individualEnrollment(dps.owner("PUT").header("If-Match", "*").json(
                "{\"attestation\":{\"type\":\"symmetricKey\",\"symmetricKey\":{\"primaryKey\":\"" + newPrimary
                        + "\",\"secondaryKey\":\"" + secondaryKey(enrollment) + "\"}}}").build(), "dev-12"));

        ApiResponse old = register("dev-12", primaryKey(enrollment));
        ApiResponse fresh = register("dev-12", newPrimary);

        assertThat(primaryKey(rolled)).isEqualTo(newPrimary);
        assertThat(old.status()).isEqualTo(401);
        assertThat(body(fresh).at("/registrationState/assignedHub").asText()).isEqualTo(hub);
        assertThat(hubDevice(hub, "dev-12").authentication().primaryKey()).isEqualTo(newPrimary);
    }

    @Test
    void groupDevicesUseKeysDerivedFromTheGroupKey() {
        JsonNode group = putGroup("group-1", "{\"enrollmentGroupId\":\"group-1\",\"attestation\":{\"type\":\"symmetricKey\"}}");
        String keyA = SymmetricKeys.deriveDeviceKey(primaryKey(group), "group-dev-a");
        String keyB = SymmetricKeys.deriveDeviceKey(secondaryKey(group), "group-dev-b");

        JsonNode a = body(register("group-dev-a", keyA)).get("registrationState");
        JsonNode b = body(register("group-dev-b", keyB)).get("registrationState");

        assertThat(a.get("status").asText()).isEqualTo("assigned");
        assertThat(b.get("status").asText()).isEqualTo("assigned");
        assertThat(a.at("/symmetricKey/enrollmentGroupId").asText()).isEqualTo("group-1");
        HubDevice device = hubDevice(a.get("assignedHub").asText(), "group-dev-a");
        assertThat(device.authentication().primaryKey()).isEqualTo(keyA);
        assertThat(device.authentication().secondaryKey())
                .isEqualTo(SymmetricKeys.deriveDeviceKey(secondaryKey(group), "group-dev-a"));
        ApiResponse states = dps.api.registrationStateQuery(dps.owner("POST").json("{\"query\":\"*\"}").build(), "group-1");
        assertThat(body(states)).hasSize(2);
    }

    @Test
    void aGroupDeviceWhoseTokenSignsAnotherFormOfTheResourceIsFoundToo() throws Exception {
        JsonNode group = putGroup("group-5", "{\"attestation\":{\"type\":\"symmetricKey\"}}");
        byte[] key = SharedAccessSignature.decodeKey(SymmetricKeys.deriveDeviceKey(primaryKey(group), "odd-dev-1"));
        String decoded = scope + "/registrations/odd-dev-1";
        String se = String.valueOf(Instant.now().plusSeconds(600).getEpochSecond());
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        String sig = java.util.Base64.getEncoder().encodeToString(
                mac.doFinal((decoded + "\n" + se).getBytes(StandardCharsets.UTF_8)));
        // Signed over the decoded resource, sent encoded with upper-case hex.
        String token = "SharedAccessSignature sr=" + decoded.replace("/", "%2F") + "&sig="
                + java.net.URLEncoder.encode(sig, StandardCharsets.UTF_8) + "&se=" + se + "&skn=registration";

        JsonNode response = body(register("odd-dev-1", token, "{\"registrationId\":\"odd-dev-1\"}"));

        assertThat(response.get("status").asText()).isEqualTo("assigned");
        assertThat(response.at("/registrationState/symmetricKey/enrollmentGroupId").asText()).isEqualTo("group-5");
    }

    @Test
    void theGroupKeyItselfNeverAuthenticatesADevice() {
        JsonNode group = putGroup("group-2", "{\"enrollmentGroupId\":\"group-2\",\"attestation\":{\"type\":\"symmetricKey\"}}");

        ApiResponse response = register("group-dev-c", primaryKey(group));

        assertThat(response.status()).isEqualTo(401);
        assertThat(body(response).get("errorCode").asInt()).isEqualTo(401002);
    }

    @Test
    void failuresAre401WithTheDpsBodyAndStoreNothing() {
        JsonNode enrollment = symmetricEnrollment("dev-4");
        List<ApiResponse> responses = List.of(
                register("dev-4", SymmetricKeys.generate()),
                register("dev-4", token("dev-4", primaryKey(enrollment), Instant.now().minusSeconds(3600)),
                        "{\"registrationId\":\"dev-4\"}"),
                register("dev-4", token("dev-4", primaryKey(enrollment), Instant.now().plus(Duration.ofDays(400))),
                        "{\"registrationId\":\"dev-4\"}"),
                register("dev-4", SharedAccessSignature.sign("0ne00000000/registrations/dev-4",
                        SharedAccessSignature.decodeKey(primaryKey(enrollment)), Instant.now().plusSeconds(600),
                        "registration"), "{\"registrationId\":\"dev-4\"}"),
                register("dev-4", null, "{\"registrationId\":\"dev-4\"}"),
                register("nobody", primaryKey(enrollment)));

        for (ApiResponse response : responses) {
            assertThat(response.status()).isEqualTo(401);
            JsonNode error = body(response);
            assertThat(error.get("errorCode").asInt()).isEqualTo(401002);
            assertThat(error.get("trackingId").asText()).isNotBlank();
        }
        assertThat(dps.api.registrationState(dps.owner("GET").build(), "dev-4").status()).isEqualTo(404);
    }

    @Test
    void authenticatingATokenWithoutRegisteringStoresNothingAndRefusesABadToken() {
        JsonNode enrollment = symmetricEnrollment("dev-auth");
        ApiRequest good = new ApiRequest("POST", Map.of("Authorization", token("dev-auth", primaryKey(enrollment))),
                Map.of(), null);
        ApiRequest wrongKey = new ApiRequest("POST",
                Map.of("Authorization", token("dev-auth", SymmetricKeys.generate())), Map.of(), null);

        assertThat(devices.authenticate(good, scope, "dev-auth").status()).isEqualTo(204);
        assertThat(body(devices.authenticate(wrongKey, scope, "dev-auth")).get("errorCode").asInt()).isEqualTo(401002);
        assertThat(body(devices.authenticate(new ApiRequest("POST", Map.of(), Map.of(), null), scope, "dev-auth"))
                .get("errorCode").asInt()).isEqualTo(401002);
        assertThat(devices.authenticate(good, "0ne99999999", "dev-auth").status()).isEqualTo(404);
        assertThat(dps.api.registrationState(dps.owner("GET").build(), "dev-auth").status()).isEqualTo(404);
    }

    @Test
    void malformedBodiesAre400AndAnUnknownScopeIs404() {
        JsonNode enrollment = symmetricEnrollment("dev-5");
        String token = token("dev-5", primaryKey(enrollment));

        assertThat(body(register("dev-5", token, "{oops")).get("errorCode").asInt()).isEqualTo(400012);
        assertThat(body(register("dev-5", token, "[]")).get("errorCode").asInt()).isEqualTo(400012);
        assertThat(body(register("dev-5", token, "{\"registrationId\":\"dev-6\"}")).get("errorCode").asInt())
                .isEqualTo(400011);
        ApiResponse unknownScope = devices.register(new ApiRequest("PUT", Map.of("Authorization", token),
                Map.of(), "{}".getBytes(StandardCharsets.UTF_8)), "0ne99999999", "dev-5");
        assertThat(unknownScope.status()).isEqualTo(404);
        assertThat(dps.api.registrationState(dps.owner("GET").build(), "dev-5").status()).isEqualTo(404);
    }

    @Test
    void aJavaStylePayloadStringIsAccepted() {
        JsonNode enrollment = symmetricEnrollment("dev-7");

        ApiResponse response = register("dev-7", token("dev-7", primaryKey(enrollment)),
                "{\"registrationId\":\"dev-7\",\"payload\":\"{\\\"modelId\\\":\\\"dtmi:x;1\\\"}\"}");

        assertThat(body(response).get("status").asText()).isEqualTo("assigned");
    }

    @Test
    void disabledEnrollmentsEndInStatusDisabled() {
        JsonNode enrollment = putEnrollment("dev-8", "{\"attestation\":{\"type\":\"symmetricKey\"},\"provisioningStatus\":\"disabled\"}");
        JsonNode group = putGroup("group-3", "{\"attestation\":{\"type\":\"symmetricKey\"},\"provisioningStatus\":\"disabled\"}");

        JsonNode individual = body(register("dev-8", primaryKey(enrollment)));
        JsonNode grouped = body(register("group-dev-d", SymmetricKeys.deriveDeviceKey(primaryKey(group), "group-dev-d")));

        assertThat(individual.get("status").asText()).isEqualTo("disabled");
        assertThat(individual.at("/registrationState/status").asText()).isEqualTo("disabled");
        assertThat(individual.at("/registrationState/errorMessage").asText()).isNotBlank();
        assertThat(grouped.get("status").asText()).isEqualTo("disabled");
    }

    @Test
    void aDisabledIndividualEnrollmentBlocksADeviceItsGroupWouldAdmit() {
        JsonNode group = putGroup("group-4", "{\"attestation\":{\"type\":\"symmetricKey\"}}");
        putEnrollment("revoked-1", "{\"attestation\":{\"type\":\"symmetricKey\"},\"provisioningStatus\":\"disabled\"}");

        JsonNode response = body(register("revoked-1", SymmetricKeys.deriveDeviceKey(primaryKey(group), "revoked-1")));

        assertThat(response.get("status").asText()).isEqualTo("disabled");
    }

    @Test
    void aStaticEnrollmentWithoutALinkedHubFailsWith400208() {
        JsonNode enrollment = putEnrollment("static-1", "{\"attestation\":{\"type\":\"symmetricKey\"},"
                + "\"allocationPolicy\":\"static\",\"iotHubs\":[\"not-linked.azure-devices.net\"]}");

        JsonNode response = body(register("static-1", primaryKey(enrollment)));

        assertThat(response.get("status").asText()).isEqualTo("failed");
        assertThat(response.at("/registrationState/errorCode").asInt()).isEqualTo(400208);
        assertThat(response.at("/registrationState/registrationId").asText()).isEqualTo("static-1");
    }

    @Test
    void pollsAndStatusLookupsReturnTheOutcomeToTheDeviceOnly() {
        JsonNode enrollment = symmetricEnrollment("dev-9");
        JsonNode other = symmetricEnrollment("dev-10");
        JsonNode registered = body(register("dev-9", primaryKey(enrollment)));
        String operationId = registered.get("operationId").asText();
        Map<String, String> auth = Map.of("Authorization", token("dev-9", primaryKey(enrollment)));

        ApiResponse poll = devices.operationStatus(new ApiRequest("GET", auth, Map.of(), "{}".getBytes()), scope,
                "dev-9", operationId);
        ApiResponse lookup = devices.registrationStatus(new ApiRequest("POST", auth, Map.of(),
                "{\"registrationId\":\"dev-9\"}".getBytes()), scope, "dev-9");
        ApiResponse foreign = devices.operationStatus(new ApiRequest("GET",
                Map.of("Authorization", token("dev-10", primaryKey(other))), Map.of(), new byte[0]), scope, "dev-10",
                operationId);
        ApiResponse unknown = devices.operationStatus(new ApiRequest("GET", auth, Map.of(), new byte[0]), scope,
                "dev-9", "4.0000000000000000.missing");

        assertThat(poll.status()).isEqualTo(200);
        assertThat(body(poll)).isEqualTo(registered);
        assertThat(lookup.status()).isEqualTo(200);
        assertThat(body(lookup).get("assignedHub")).isEqualTo(registered.at("/registrationState/assignedHub"));
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(unknown.status()).isEqualTo(404);
    }

    @Test
    void simultaneousRegistrationsOfOneDeviceEndInOneStateAndOneIdentity() throws Exception {
        JsonNode enrollment = symmetricEnrollment("dev-11");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<ApiResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                calls.add(() -> register("dev-11", primaryKey(enrollment)));
            }
            Set<String> hubs = pool.invokeAll(calls).stream().map(DeviceApiTest::get)
                    .map(r -> body(r).at("/registrationState/assignedHub").asText()).collect(Collectors.toSet());
            assertThat(hubs).hasSize(1);
            int identities = 0;
            for (LinkedHub hub : dps.application.stores().instances().findByIdScope(scope).orElseThrow().linkedHubs()) {
                Page<HubDevice> page = dps.application.stores().hubs().list(hub, 100, null);
                identities += (int) page.items().stream().filter(d -> d.deviceId().equals("dev-11")).count();
            }
            assertThat(identities).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    private static ApiResponse get(Future<ApiResponse> future) {
        try {
            ApiResponse response = future.get();
            assertThat(response.status()).isEqualTo(202);
            return response;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private ApiResponse checkConnection(String registrationId, String authorization) {
        Map<String, String> headers = authorization == null ? Map.of() : Map.of("Authorization", authorization);
        return devices.checkConnection(new ApiRequest("CONNECT", headers, Map.of(), null), scope, registrationId);
    }

    @Test
    void aConnectionCheckLooksAtTheTokenItselfAndLeavesTheKeyToRegister() {
        String anyKey = SymmetricKeys.generate();

        // Whether an enrollment with this key exists is decided at register (§3.1): no enrollment, still 204.
        assertThat(checkConnection("conn-1", token("conn-1", anyKey)).status()).isEqualTo(204);
        for (ApiResponse refused : List.of(
                checkConnection("conn-1", token("conn-1", anyKey, Instant.now().minus(Duration.ofHours(1)))),
                checkConnection("conn-1", token("conn-2", anyKey)),
                checkConnection("conn-1", "not a token"),
                checkConnection("conn-1", null))) {
            assertThat(refused.status()).isEqualTo(401);
            assertThat(body(refused).get("errorCode").asInt()).isEqualTo(401002);
            assertThat(body(refused).get("trackingId").asText()).isNotBlank();
        }
        assertThat(dps.application.stores().registrationStates().find(scope, "conn-1")).isEmpty();
    }
}
