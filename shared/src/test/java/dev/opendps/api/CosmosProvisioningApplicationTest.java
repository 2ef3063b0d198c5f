package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.adapters.cosmos.CosmosEnrollmentStore;
import dev.opendps.adapters.cosmos.CosmosHubRegistry;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.testing.CosmosTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole application built from settings with {@code DPS_STORE=cosmos}, used through its device and service APIs. */
class CosmosProvisioningApplicationTest {
    private static CosmosTestServer server;

    @TempDir
    Path dataDir;
    /** One key-encryption key for the class, as the account (one server per class) outlives each test's folder. */
    @TempDir
    static Path keys;
    private ServiceApiFixture dps;

    @BeforeAll
    static void startServer() {
        server = CosmosTestServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir, Map.of("DPS_STORE", "cosmos", "DPS_COSMOS_ENDPOINT", server.endpoint(),
                "DPS_COSMOS_KEY", server.key(), "DPS_HUB_REGISTRY", "embedded",
                "DPS_KEK_FILE", keys.resolve("kek.json").toString()));
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
    }

    @Test
    void theApplicationRunsOnCosmos() {
        assertThat(dps.application.stores().enrollments()).isInstanceOf(CosmosEnrollmentStore.class);
        assertThat(dps.application.stores().hubs()).isInstanceOf(CosmosHubRegistry.class);
    }

    @Test
    void anEnrollmentMakesTheServiceApiRoundTrip() {
        ApiResponse put = dps.api.individualEnrollment(dps.owner("PUT").json("{\"registrationId\":\"Sensor-7\","
                + "\"attestation\":{\"type\":\"symmetricKey\"},\"initialTwin\":{\"tags\":{\"site\":\"lab\"}}}")
                .build(), "Sensor-7");
        assertThat(put.status()).as(text(put)).isEqualTo(200);
        JsonNode created = body(put);

        ApiResponse get = dps.api.individualEnrollment(dps.owner("GET").build(), "sensor-7");

        assertThat(get.status()).as(text(get)).isEqualTo(200);
        assertThat(body(get)).isEqualTo(created);
        assertThat(created.get("etag").asText()).isNotBlank();

        ApiResponse delete = dps.api.individualEnrollment(dps.owner("DELETE")
                .header("If-Match", created.get("etag").asText()).build(), "Sensor-7");
        assertThat(delete.status()).as(text(delete)).isEqualTo(204);
        assertThat(dps.api.individualEnrollment(dps.owner("GET").build(), "Sensor-7").status()).isEqualTo(404);
    }

    @Test
    void aSymmetricKeyDeviceRegistersIntoTheEmbeddedHubOnCosmos() {
        ApiResponse put = dps.api.individualEnrollment(dps.owner("PUT").json("{\"registrationId\":\"dev-1\","
                + "\"attestation\":{\"type\":\"symmetricKey\"}}").build(), "dev-1");
        assertThat(put.status()).as(text(put)).isEqualTo(200);
        String key = body(put).at("/attestation/symmetricKey/primaryKey").asText();
        String scope = dps.instance.idScope();

        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.put("Authorization", SharedAccessSignature.sign(scope + "/registrations/dev-1",
                SharedAccessSignature.decodeKey(key), Instant.now().plus(Duration.ofHours(1)), "registration"));
        ApiResponse response = dps.application.deviceApi().register(new ApiRequest("PUT", headers,
                Map.of("api-version", "2019-03-31"), "{\"registrationId\":\"dev-1\"}".getBytes(StandardCharsets.UTF_8)),
                scope, "dev-1");

        assertThat(response.status()).as(text(response)).isEqualTo(202);
        JsonNode state = body(response).get("registrationState");
        assertThat(body(response).get("status").asText()).isEqualTo("assigned");
        assertThat(state.get("deviceId").asText()).isEqualTo("dev-1");
        String hub = state.get("assignedHub").asText();
        HubDevice device = dps.application.stores().hubs().find(new LinkedHub(hub, 1, true, null), "dev-1")
                .orElseThrow();
        assertThat(device.authentication().primaryKey()).isEqualTo(key);
        ApiResponse registration = dps.api.registrationState(dps.owner("GET").build(), "dev-1");
        assertThat(registration.status()).as(text(registration)).isEqualTo(200);
        assertThat(body(registration).get("assignedHub").asText()).isEqualTo(hub);
    }

    private static String text(ApiResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** What the Cosmos account holds, read around the application: every item of every container, as stored. */
    private String rawDocuments() {
        return String.join("\n", rawItems(server, "opendps"));
    }

    /**
     * Every item of the {@code containers} (none named: of every container) in {@code database} on {@code server},
     * as stored: for tests of what Cosmos holds. Each container is read with one query across its partitions.
     */
    static List<String> rawItems(CosmosTestServer server, String database, String... containers) {
        List<String> items = new ArrayList<>();
        try (com.azure.cosmos.CosmosClient client = new com.azure.cosmos.CosmosClientBuilder()
                .endpoint(server.endpoint()).key(server.key()).gatewayMode().endpointDiscoveryEnabled(false)
                .buildClient()) {
            com.azure.cosmos.CosmosDatabase opened = client.getDatabase(database);
            List<String> names = containers.length > 0 ? List.of(containers)
                    : opened.readAllContainers().stream().map(properties -> properties.getId()).toList();
            for (String name : names) {
                opened.getContainer(name).queryItems("SELECT * FROM c",
                        new com.azure.cosmos.models.CosmosQueryRequestOptions(), JsonNode.class)
                        .forEach(item -> items.add(item.toString()));
            }
        }
        return items;
    }

    @Test
    void noSecretIsStoredInPlainTextInCosmos() {
        ApiResponse put = dps.api.individualEnrollment(dps.owner("PUT").json("{\"registrationId\":\"secret-1\","
                + "\"attestation\":{\"type\":\"symmetricKey\"}}").build(), "secret-1");
        assertThat(put.status()).as(text(put)).isEqualTo(200);
        String primary = body(put).at("/attestation/symmetricKey/primaryKey").asText();
        String secondary = body(put).at("/attestation/symmetricKey/secondaryKey").asText();
        String ownerKey = dps.owner().primaryKey();

        String raw = rawDocuments();

        assertThat(raw).contains("secret-1").contains("\"enc\":\"v1\"");
        assertThat(raw).doesNotContain(primary).doesNotContain(secondary).doesNotContain(ownerKey);
        assertThat(dps.api.individualEnrollment(dps.owner("GET").build(), "secret-1").status()).isEqualTo(200);
    }
}
