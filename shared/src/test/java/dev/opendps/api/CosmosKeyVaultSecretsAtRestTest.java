package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.app.ProvisioningApplication;
import dev.opendps.testing.CosmosTestServer;
import dev.opendps.testing.KeyVaultTestBed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application on Cosmos DB with the Key Vault key-encryption key (as deployed on Azure): the documents hold
 * no secret, their data keys are wrapped by Key Vault, and everything reads back. Its own Cosmos server, since
 * the documents it writes are not readable with the local key file {@link CosmosProvisioningApplicationTest} uses.
 */
class CosmosKeyVaultSecretsAtRestTest {
    private static CosmosTestServer server;
    private static KeyVaultTestBed bed;

    @TempDir
    Path dataDir;
    private ServiceApiFixture dps;

    @BeforeAll
    static void startServers() {
        server = CosmosTestServer.start();
        bed = KeyVaultTestBed.start("cosmos-kek");
    }

    @AfterAll
    static void stopServers() {
        if (server != null) {
            server.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    @BeforeEach
    void start() {
        Map<String, String> settings = new HashMap<>(Map.of("DPS_STORE", "cosmos", "DPS_COSMOS_ENDPOINT",
                server.endpoint(), "DPS_COSMOS_KEY", server.key(), "DPS_HUB_REGISTRY", "embedded"));
        settings.putAll(bed.settings());
        dps = new ServiceApiFixture(dataDir, settings, Clock.systemUTC(), stores -> stores, List.of(),
                appSettings -> ProvisioningApplication.keyEncryptionKey(appSettings, bed.options()));
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
    }

    @Test
    void noSecretIsStoredInPlainTextAndDataKeysAreWrappedByKeyVault() {
        ApiResponse put = dps.api.individualEnrollment(dps.owner("PUT").json("{\"registrationId\":\"secret-kv\","
                + "\"attestation\":{\"type\":\"symmetricKey\"}}").build(), "secret-kv");
        assertThat(put.status()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        String primary = body(put).at("/attestation/symmetricKey/primaryKey").asText();
        String secondary = body(put).at("/attestation/symmetricKey/secondaryKey").asText();

        String raw = CosmosProvisioningApplicationTest.rawDocuments(server, dps);

        assertThat(raw).contains("secret-kv").contains("\"kek\":\"keyvault:" + bed.keyId() + "/")
                .doesNotContain("\"kek\":\"local:");
        assertThat(raw).doesNotContain(primary).doesNotContain(secondary).doesNotContain(dps.owner().primaryKey());
        ApiResponse get = dps.api.individualEnrollment(dps.owner("GET").build(), "secret-kv");
        assertThat(body(get).at("/attestation/symmetricKey/primaryKey").asText()).isEqualTo(primary);
        assertThat(body(dps.application.diagnosticsApi().health(null)).at("/checks/keyProvider").asText())
                .startsWith("ok: Key Vault key " + bed.keyId());
    }
}
