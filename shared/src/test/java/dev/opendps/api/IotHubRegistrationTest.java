package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.adapters.iothub.ConnectionStringCredentials;
import dev.opendps.adapters.iothub.IotHubRegistry;
import dev.opendps.app.Stores;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.testing.IotHubTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Device registration with identities created in an IoT hub's registry over HTTPS (dps-protocol.md §7). */
class IotHubRegistrationTest {
    private static final String HOST = "opendps-test-hub.azure-devices.net";
    private static final String RIGHT_KEY = "cmlnaHQta2V5LW9mLXRoZS10ZXN0LWh1Yg==";
    private static final String WRONG_KEY = "d3Jvbmcta2V5LW9mLXRoZS10ZXN0LWh1Yg==";

    @TempDir
    Path dataDir;

    private final IotHubTestServer hubServer = IotHubTestServer.start();
    private ServiceApiFixture dps;

    @AfterEach
    void stop() throws Exception {
        if (dps != null) {
            dps.close();
        }
        hubServer.close();
    }

    private void startDps(String linkedKey) {
        hubServer.addHub(connectionString(RIGHT_KEY));
        IotHubRegistry registry = new IotHubRegistry(hubServer.client(), new ConnectionStringCredentials(),
                hubServer::baseUri, Duration.ofSeconds(2));
        dps = new ServiceApiFixture(dataDir, stores -> new Stores(stores.instances(), stores.enrollments(),
                stores.enrollmentGroups(), stores.registrationStates(), stores.registrationOperations(),
                stores.tpmChallenges(), registry, stores.caCertificates(), stores.resources()),
                List.of(new LinkedHub(HOST, 1, true, connectionString(linkedKey))));
    }

    private static String connectionString(String key) {
        return "HostName=" + HOST + ";SharedAccessKeyName=iothubowner;SharedAccessKey=" + key;
    }

    @Test
    void aRegisteredDeviceIsCreatedInTheHubWithItsKeysAndInitialTwin() {
        startDps(RIGHT_KEY);
        String key = enroll("device-1");

        JsonNode response = register("device-1", key);

        assertThat(response.path("status").asText()).isEqualTo("assigned");
        assertThat(response.at("/registrationState/assignedHub").asText()).isEqualTo(HOST);
        HubDevice device = dps.application.stores().hubs()
                .find(new LinkedHub(HOST, 1, true, connectionString(RIGHT_KEY)), "device-1").orElseThrow();
        assertThat(device.authentication().primaryKey()).isEqualTo(key);
        assertThat(device.iotEdge()).isTrue();
        assertThat(device.tags().path("site").asText()).isEqualTo("lab");
        assertThat(device.desiredProperties().path("fw").asText()).isEqualTo("1.2");
    }

    @Test
    void aHubThatRefusesTheKeyFailsTheRegistrationWith400209SayingWhatTheHubAnswered() {
        startDps(WRONG_KEY);
        String key = enroll("device-1");

        JsonNode response = register("device-1", key);

        assertThat(response.path("status").asText()).isEqualTo("failed");
        assertThat(response.at("/registrationState/errorCode").asInt()).isEqualTo(400209);
        assertThat(response.at("/registrationState/errorMessage").asText())
                .contains(HOST).contains("401").contains("IotHubUnauthorizedAccess")
                .doesNotContain(WRONG_KEY).doesNotContain("sig=");
    }

    @Test
    void anUnavailableHubFailsTheRegistrationSayingSo() {
        startDps(RIGHT_KEY);
        String key = enroll("device-1");
        hubServer.failWith(503);

        JsonNode response = register("device-1", key);

        assertThat(response.path("status").asText()).isEqualTo("failed");
        assertThat(response.at("/registrationState/errorCode").asInt()).isEqualTo(400209);
        assertThat(response.at("/registrationState/errorMessage").asText()).contains("503");
    }

    private String enroll(String registrationId) {
        ApiResponse response = dps.api.individualEnrollment(dps.owner("PUT").json("{\"registrationId\":\""
                + registrationId + "\",\"attestation\":{\"type\":\"symmetricKey\"},\"capabilities\":{\"iotEdge\":true},"
                + "\"initialTwin\":{\"tags\":{\"site\":\"lab\"},\"properties\":{\"desired\":{\"fw\":\"1.2\"}}}}")
                .build(), registrationId);
        assertThat(response.status()).isEqualTo(200);
        return body(response).at("/attestation/symmetricKey/primaryKey").asText();
    }

    private JsonNode register(String registrationId, String base64Key) {
        String scope = dps.instance.idScope();
        String token = SharedAccessSignature.sign(scope + "/registrations/" + registrationId,
                SharedAccessSignature.decodeKey(base64Key), Instant.now().plus(Duration.ofHours(1)), "registration");
        ApiResponse response = dps.application.deviceApi().register(new ApiRequest("PUT",
                Map.of("Content-Type", "application/json; charset=utf-8", "Authorization", token),
                Map.of("api-version", "2019-03-31"),
                ("{\"registrationId\":\"" + registrationId + "\"}").getBytes(StandardCharsets.UTF_8)),
                scope, registrationId);
        assertThat(response.status()).isEqualTo(202);
        return body(response);
    }
}
