package dev.opendps.api;

import dev.opendps.adapters.keyvault.KeyVaultKeyEncryptionKey;
import dev.opendps.app.ProvisioningApplication;
import dev.opendps.config.AppSettings;
import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.testing.KeyVaultTestBed;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link SecretsAtRestTest} with the Key Vault key-encryption key ({@code DPS_KEY_VAULT_KEY_ID}), against the
 * project's Key Vault test server: the same plaintext scan, and rotation (a new version in Key Vault) under
 * concurrent registrations with nothing lost.
 */
class KeyVaultSecretsAtRestTest extends SecretsAtRestTest {
    private static KeyVaultTestBed bed;

    @BeforeAll
    static void startKeyVault() {
        bed = KeyVaultTestBed.start("secrets-at-rest");
    }

    @AfterAll
    static void stopKeyVault() {
        if (bed != null) {
            bed.close();
        }
    }

    @Override
    protected Map<String, String> kekSettings() {
        return bed.settings();
    }

    @Override
    protected KeyEncryptionKey openKek(AppSettings settings) {
        return ProvisioningApplication.keyEncryptionKey(settings, bed.options());
    }

    @Override
    protected String versionPrefix() {
        return KeyVaultKeyEncryptionKey.PREFIX + bed.keyId() + "/";
    }
}
