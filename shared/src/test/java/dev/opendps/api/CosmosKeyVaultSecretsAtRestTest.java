package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.testing.KeyVaultTestBed;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The application on Cosmos DB with the Key Vault key-encryption key, as deployed on Azure: everything
 * {@link CosmosSecretsAtRestTest} checks (no secret in the documents, rotation in Key Vault and re-wrap under
 * concurrent registrations with nothing lost, the older versions disabled afterwards), and that the data keys are
 * wrapped by Key Vault.
 */
class CosmosKeyVaultSecretsAtRestTest extends CosmosSecretsAtRestTest {
    private static KeyVaultTestBed bed;

    @BeforeAll
    static void startKeyVault() {
        bed = KeyVaultTestBed.start("cosmos-kek");
    }

    @AfterAll
    static void stopKeyVault() {
        if (bed != null) {
            bed.close();
        }
    }

    @Override
    protected KekUnderTest kek() {
        return KeyVaultSecretsAtRestTest.keyVault(bed);
    }

    @Test
    void dataKeysAreWrappedByKeyVault() {
        start();
        ApiResponse put = dps.api.individualEnrollment(dps.owner("PUT").json("{\"registrationId\":\"secret-kv\","
                + "\"attestation\":{\"type\":\"symmetricKey\"}}").build(), "secret-kv");
        assertThat(put.status()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        String primary = body(put).at("/attestation/symmetricKey/primaryKey").asText();
        String secondary = body(put).at("/attestation/symmetricKey/secondaryKey").asText();

        String raw = String.join("\n", storedDocuments());

        assertThat(raw).contains("secret-kv").contains("\"kek\":\"" + kek().versionPrefix())
                .doesNotContain("\"kek\":\"local:");
        assertThat(raw).doesNotContain(primary).doesNotContain(secondary).doesNotContain(dps.owner().primaryKey());
        ApiResponse get = dps.api.individualEnrollment(dps.owner("GET").build(), "secret-kv");
        assertThat(body(get).at("/attestation/symmetricKey/primaryKey").asText()).isEqualTo(primary);
        assertThat(body(dps.application.diagnosticsApi().health(null)).at("/checks/keyProvider").asText())
                .startsWith("ok: Key Vault key " + bed.keyId());
    }
}
