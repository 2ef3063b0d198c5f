package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.config.Setting;
import dev.opendps.domain.allocation.WeightedHashAllocation;
import dev.opendps.domain.auth.SharedAccessSignature;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code geoLatency} (dps-protocol.md §6.1) with hub locations from {@code DPS_HUB_LOCATIONS}. */
class GeoLatencyApiTest {
    private static final String HUB_1 = "local-hub-1.localhost";
    private static final String HUB_2 = "local-hub-2.localhost";

    @TempDir
    java.nio.file.Path dataDir;

    ServiceApiFixture dps;
    DeviceApi devices;
    String scope;

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir, Map.of(Setting.HUB_LOCATIONS.key(),
                "{\"" + HUB_1 + "\":{\"region\":\"westeurope\"},\"" + HUB_2 + "\":{\"lat\":40.7,\"lon\":-74.0}}"));
        devices = dps.application.deviceApi();
        scope = dps.instance.idScope();
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
    }

    @Test
    void aDeviceIsAssignedTheHubNearestTheLocationInItsPayload() {
        assertThat(assignedHub("geo-1", "{\"location\":{\"lat\":48.86,\"lon\":2.35}}")).isEqualTo(HUB_1);
        assertThat(assignedHub("geo-2", "{\"location\":{\"lat\":41.88,\"lon\":-87.63}}")).isEqualTo(HUB_2);
        assertThat(assignedHub("geo-3", "{\"region\":\"northeurope\"}")).isEqualTo(HUB_1);
        assertThat(assignedHub("geo-4", "{\"region\":\"brazilsouth\"}")).isEqualTo(HUB_2);
    }

    @Test
    void aDeviceWithoutLocationGetsTheWeightedHash() {
        String expected = WeightedHashAllocation.choose("geo-5", dps.instance.linkedHubs()).orElseThrow().hostName();

        assertThat(assignedHub("geo-5", null)).isEqualTo(expected);
        assertThat(assignedHub("geo-6", "{\"fw\":\"1.0\"}")).isEqualTo(
                WeightedHashAllocation.choose("geo-6", dps.instance.linkedHubs()).orElseThrow().hostName());
    }

    @Test
    void aDeviceThatReportsANewLocationMovesWithItsDataUnderTheDefaultPolicy() {
        assertThat(assignedHub("geo-7", "{\"region\":\"westeurope\"}")).isEqualTo(HUB_1);

        JsonNode state = register("geo-7", "{\"region\":\"eastus\"}");

        assertThat(state.get("assignedHub").asText()).isEqualTo(HUB_2);
        assertThat(state.get("substatus").asText()).isEqualTo("deviceDataMigrated");
    }

    private String assignedHub(String registrationId, String payload) {
        return register(registrationId, payload).get("assignedHub").asText();
    }

    private JsonNode register(String registrationId, String payload) {
        ApiResponse enrollment = dps.api.individualEnrollment(dps.owner("GET").build(), registrationId);
        if (enrollment.status() == 404) {
            enrollment = dps.api.individualEnrollment(dps.owner("PUT").json("{\"attestation\":{\"type\":\"symmetricKey\"},"
                    + "\"allocationPolicy\":\"geoLatency\"}").build(), registrationId);
        }
        String key = body(enrollment).at("/attestation/symmetricKey/primaryKey").asText();
        String token = SharedAccessSignature.sign(scope + "/registrations/" + registrationId,
                SharedAccessSignature.decodeKey(key), Instant.now().plus(Duration.ofHours(1)), "registration");
        String body = "{\"registrationId\":\"" + registrationId + "\"" + (payload == null ? "" : ",\"payload\":" + payload)
                + "}";
        ApiResponse response = devices.register(new ApiRequest("PUT", Map.of("Authorization", token,
                "Content-Type", "application/json"), Map.of("api-version", "2019-03-31"),
                body.getBytes(StandardCharsets.UTF_8)), scope, registrationId);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(202);
        assertThat(body(response).get("status").asText()).isEqualTo("assigned");
        return body(response).get("registrationState");
    }
}
