package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.adapters.keys.LocalKeyFile;
import dev.opendps.adapters.keyvault.KeyVaultKeyEncryptionKey;
import dev.opendps.app.ProvisioningApplication;
import dev.opendps.config.AppSettings;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.port.SecretProtectionException;
import dev.opendps.testing.KeyVaultTestBed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving a deployment from the local key file to Key Vault: with {@code DPS_KEY_VAULT_KEY_ID} set, new data keys
 * are wrapped in Key Vault while what the local file wrapped still reads (the file is still there); a re-wrap
 * moves it all to Key Vault, after which the file is needed no more.
 */
class KeyVaultMigrationTest {
    @TempDir
    Path dataDir;

    KeyVaultTestBed bed;
    ServiceApiFixture dps;
    final String firstKey = SymmetricKeys.generate();

    @BeforeEach
    void startOnTheLocalKeyFileAndEnrollOneDevice() throws Exception {
        bed = KeyVaultTestBed.start("migration-kek");
        dps = new ServiceApiFixture(dataDir);
        putEnrollment("before-key-vault", firstKey);
        dps.close();
        dps = null;
    }

    @AfterEach
    void stop() throws Exception {
        if (dps != null) {
            dps.close();
        }
        bed.close();
    }

    private void startOnKeyVault() {
        dps = new ServiceApiFixture(dataDir, bed.settings(), Clock.systemUTC(), stores -> stores, List.of(),
                settings -> ProvisioningApplication.keyEncryptionKey(settings, bed.options()));
    }

    private AppSettings settings() {
        return ServiceApiFixture.settings(dataDir, bed.settings());
    }

    private void putEnrollment(String id, String primary) {
        ApiResponse response = dps.api.individualEnrollment(dps.owner("PUT").json("{\"registrationId\":\"" + id
                + "\",\"attestation\":{\"type\":\"symmetricKey\",\"symmetricKey\":{\"primaryKey\":\"" + primary
                + "\",\"secondaryKey\":\"" + SymmetricKeys.generate() + "\"}}}").build(), id);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    }

    private String primaryKeyOf(String id) {
        return body(dps.api.individualEnrollment(dps.owner("GET").build(), id))
                .at("/attestation/symmetricKey/primaryKey").asText();
    }

    @Test
    void keyVaultWrapsWhatIsNewAndTheLocalFileStillReadsWhatItWrapped() {
        startOnKeyVault();
        String secondKey = SymmetricKeys.generate();

        putEnrollment("after-key-vault", secondKey);

        assertThat(primaryKeyOf("before-key-vault")).isEqualTo(firstKey);
        assertThat(primaryKeyOf("after-key-vault")).isEqualTo(secondKey);
        assertThat(body(dps.application.diagnosticsApi().health(null)).at("/checks/keyProvider").asText())
                .startsWith("ok: Key Vault key " + bed.keyId());
    }

    @Test
    void aReWrapMovesEverythingToKeyVaultAndThenTheLocalFileIsNotNeeded() throws Exception {
        startOnKeyVault();
        putEnrollment("after-key-vault", SymmetricKeys.generate());

        ProvisioningApplication.DataKeysRewrapped pass = ProvisioningApplication.rewrapDataKeys(settings(),
                ProvisioningApplication.keyEncryptionKey(settings(), bed.options()));
        dps.close();
        dps = null;

        assertThat(pass.version()).startsWith(KeyVaultKeyEncryptionKey.PREFIX + bed.keyId() + "/");
        assertThat(pass.rewritten()).isPositive();
        assertThat(pass.unreadable()).isZero();
        assertThat(SecretsAtRestTest.kekVersionsStored(dataDir)).containsExactly(pass.version());
        Files.delete(dataDir.resolve("keys/kek.json"));
        startOnKeyVault();
        assertThat(primaryKeyOf("before-key-vault")).isEqualTo(firstKey);
        assertThat(Files.exists(dataDir.resolve("keys/kek.json"))).as("no local key file made again").isFalse();
    }

    @Test
    void withoutTheLocalFileWhatItWrappedFailsNamingTheFileAndTheReWrapLeavesIt() throws Exception {
        startOnKeyVault();
        dps.close();
        dps = null;
        Path file = dataDir.resolve("keys/kek.json");
        Path moved = dataDir.resolve("kek.json.elsewhere");
        Files.move(file, moved);
        startOnKeyVault();

        assertThatThrownBy(() -> dps.application.stores().enrollments().find(dps.instance.idScope(),
                "before-key-vault")).isInstanceOf(SecretProtectionException.class)
                .hasMessageContaining(LocalKeyFile.PREFIX).hasMessageContaining(file.toString())
                .hasMessageContaining("DPS_KEK_FILE");
        ProvisioningApplication.DataKeysRewrapped pass = ProvisioningApplication.rewrapDataKeys(settings(),
                ProvisioningApplication.keyEncryptionKey(settings(), bed.options()));
        assertThat(pass.unreadable()).isPositive();

        // With the file restored, the same pass finishes the move.
        Files.move(moved, file);
        ProvisioningApplication.DataKeysRewrapped finished = ProvisioningApplication.rewrapDataKeys(settings(),
                ProvisioningApplication.keyEncryptionKey(settings(), bed.options()));
        assertThat(finished.unreadable()).isZero();
        assertThat(primaryKeyOf("before-key-vault")).isEqualTo(firstKey);
    }
}
