package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.testing.CosmosTestServer;
import dev.opendps.testing.CosmosTestServer.Fault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application on a Cosmos DB account that throttles (429), is unavailable (503) or times out (408), as the
 * local Cosmos endpoint's injected faults make it (dps-protocol.md §1.6: DPS answers 429 and 5xx with
 * {@code retry-after}). The SDK retries throttled requests 2 times here ({@code DPS_COSMOS_THROTTLING_RETRIES}).
 */
class CosmosThrottlingApiTest {
    private static final int RETRIES = 2;
    private static CosmosTestServer cosmos;

    @TempDir
    Path dataDir;
    @TempDir
    static Path keys;
    private ServiceApiFixture dps;

    @BeforeAll
    static void startServer() {
        cosmos = CosmosTestServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (cosmos != null) {
            cosmos.close();
        }
    }

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir, Map.of("DPS_STORE", "cosmos", "DPS_COSMOS_ENDPOINT", cosmos.endpoint(),
                "DPS_COSMOS_KEY", cosmos.key(), "DPS_HUB_REGISTRY", "embedded",
                "DPS_KEK_FILE", keys.resolve("kek.json").toString(),
                "DPS_COSMOS_THROTTLING_RETRIES", String.valueOf(RETRIES),
                "DPS_COSMOS_THROTTLING_MAX_WAIT_SECONDS", "10"));
    }

    @AfterEach
    void stop() throws Exception {
        cosmos.clearFaults();
        dps.close();
    }

    @Test
    void aShortBurstOfThrottlingIsRiddenOutByTheRetriesAndTheCallSucceeds() {
        int burst = cosmos.inject(Fault.throttling("enrollments").times(RETRIES));

        ApiResponse put = putEnrollment("burst-1");

        assertThat(put.status()).as(text(put)).isEqualTo(200);
        assertThat(cosmos.answered(burst)).isEqualTo(RETRIES);
        assertThat(getEnrollment("burst-1").status()).isEqualTo(200);
    }

    @Test
    void sustainedThrottlingIsDpsThrottledWithTheRetryAfterCosmosNamedAndWritesNothing() {
        int throttling = cosmos.inject(Fault.throttling("enrollments").retryAfter(Duration.ofMillis(1200)));

        ApiResponse put = putEnrollment("sustained-1");

        assertThat(put.status()).as(text(put)).isEqualTo(429);
        assertThat(body(put).get("errorCode").asInt()).isEqualTo(429001);
        assertThat(body(put).get("trackingId").asText()).isNotBlank()
                .isEqualTo(put.headers().get("x-ms-request-id"));
        assertThat(body(put).get("message").asText()).isEqualTo("Operations are being throttled for this tenant.");
        // 1.2 s, in whole seconds rounded up (§1.7: an integer number of seconds).
        assertThat(put.headers()).containsEntry("retry-after", "2");
        assertThat(cosmos.answered(throttling)).as("the first try and each retry").isEqualTo(1 + RETRIES);

        cosmos.clearFaults();
        assertThat(getEnrollment("sustained-1").status()).isEqualTo(404);
    }

    @Test
    void anUnavailableStoreIsDpsServiceUnavailableAndWritesNothing() {
        // The read before the create works; the create itself is refused.
        cosmos.inject(Fault.unavailable("enrollments").onMethod("POST"));

        ApiResponse put = putEnrollment("unavailable-1");

        assertThat(put.status()).as(text(put)).isEqualTo(503);
        assertThat(body(put).get("errorCode").asInt()).isEqualTo(503001);
        // Cosmos named no wait: the 3 s DPS itself sends.
        assertThat(put.headers()).containsEntry("retry-after", "3");

        cosmos.clearFaults();
        assertThat(getEnrollment("unavailable-1").status()).isEqualTo(404);
    }

    @Test
    void aStoreThatTimesOutIsDpsServiceUnavailable() {
        cosmos.inject(Fault.timingOut("enrollments"));

        ApiResponse get = getEnrollment("timeout-1");

        assertThat(get.status()).as(text(get)).isEqualTo(503);
        assertThat(body(get).get("errorCode").asInt()).isEqualTo(503001);
        assertThat(get.headers()).containsKey("retry-after");
    }

    @Test
    void aThrottledRegistrationIsDpsThrottledStoresNoRegistrationAndSucceedsWhenSentAgain() {
        String key = body(putEnrollment("device-1")).at("/attestation/symmetricKey/primaryKey").asText();
        // Only the write of the registration state is refused: the device's identity was written before it.
        cosmos.inject(Fault.throttling("registrationStates").onMethod("POST"));

        ApiResponse throttled = register("device-1", key);

        assertThat(throttled.status()).as(text(throttled)).isEqualTo(429);
        assertThat(body(throttled).get("errorCode").asInt()).isEqualTo(429001);
        assertThat(throttled.headers()).containsEntry("retry-after", "1");
        cosmos.clearFaults();
        assertThat(registrationState("device-1").status()).isEqualTo(404);

        ApiResponse again = register("device-1", key);

        assertThat(again.status()).as(text(again)).isEqualTo(202);
        assertThat(body(again).get("status").asText()).isEqualTo("assigned");
        assertThat(body(registrationState("device-1")).get("status").asText()).isEqualTo("assigned");
    }

    @Test
    void aThrottledEmbeddedHubRegistryIsDpsThrottledNotAFailedRegistration() {
        String key = body(putEnrollment("device-2")).at("/attestation/symmetricKey/primaryKey").asText();
        cosmos.inject(Fault.throttling("hubDevices"));

        ApiResponse throttled = register("device-2", key);

        assertThat(throttled.status()).as(text(throttled)).isEqualTo(429);
        cosmos.clearFaults();
        assertThat(registrationState("device-2").status()).as("no failed registration was stored").isEqualTo(404);
        assertThat(body(register("device-2", key)).get("status").asText()).isEqualTo("assigned");
    }

    @Test
    void anUnavailableStoreOnTheDevicePathIsDpsServiceUnavailable() {
        String key = body(putEnrollment("device-3")).at("/attestation/symmetricKey/primaryKey").asText();
        cosmos.inject(Fault.unavailable("registrationStates"));

        ApiResponse response = register("device-3", key);

        assertThat(response.status()).as(text(response)).isEqualTo(503);
        assertThat(body(response).get("errorCode").asInt()).isEqualTo(503001);
        assertThat(response.headers()).containsEntry("retry-after", "3");
    }

    @Test
    void aBulkOperationNamesEachRecordTheThrottledStoreDidNotTake() {
        cosmos.inject(Fault.throttling("enrollments").onMethod("POST"));

        ApiResponse bulk = dps.api.individualEnrollmentBulk(dps.owner("POST").json("{\"mode\":\"create\","
                + "\"enrollments\":[" + enrollment("bulk-1") + "," + enrollment("bulk-2") + "]}").build());

        assertThat(bulk.status()).as(text(bulk)).isEqualTo(200);
        assertThat(body(bulk).get("isSuccessful").asBoolean()).isFalse();
        assertThat(body(bulk).get("errors")).hasSize(2);
        assertThat(body(bulk).at("/errors/0/errorCode").asInt()).isEqualTo(429001);
        assertThat(body(bulk).at("/errors/1/registrationId").asText()).isEqualTo("bulk-2");
        cosmos.clearFaults();
        assertThat(getEnrollment("bulk-1").status()).isEqualTo(404);
    }

    private static String enrollment(String id) {
        return "{\"registrationId\":\"" + id + "\",\"attestation\":{\"type\":\"symmetricKey\"}}";
    }

    private ApiResponse putEnrollment(String id) {
        return dps.api.individualEnrollment(dps.owner("PUT").json(enrollment(id)).build(), id);
    }

    private ApiResponse getEnrollment(String id) {
        return dps.api.individualEnrollment(dps.owner("GET").build(), id);
    }

    private ApiResponse registrationState(String id) {
        return dps.api.registrationState(dps.owner("GET").build(), id);
    }

    private ApiResponse register(String registrationId, String key) {
        String scope = dps.instance.idScope();
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.put("Authorization", SharedAccessSignature.sign(scope + "/registrations/" + registrationId,
                SharedAccessSignature.decodeKey(key), Instant.now().plus(Duration.ofHours(1)), "registration"));
        return dps.application.deviceApi().register(new ApiRequest("PUT", headers, Map.of("api-version", "2019-03-31"),
                ("{\"registrationId\":\"" + registrationId + "\"}").getBytes(StandardCharsets.UTF_8)),
                scope, registrationId);
    }

    private static String text(ApiResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
