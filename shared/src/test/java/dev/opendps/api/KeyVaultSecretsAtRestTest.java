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
 * project's Key Vault test server: the same plaintext scan, rotation (a new version in Key Vault) under
 * concurrent registrations with nothing lost, and retiring (disabling) the older versions once re-wrapped.
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
    protected KekUnderTest kek() {
        return keyVault(bed);
    }

    /** {@code bed}'s Key Vault key ({@code DPS_KEY_VAULT_KEY_ID}); a version is retired by disabling it in the vault. */
    static KekUnderTest keyVault(KeyVaultTestBed bed) {
        return new KekUnderTest() {
            @Override
            public Map<String, String> settings() {
                return bed.settings();
            }

            @Override
            public KeyEncryptionKey open(AppSettings settings) {
                return ProvisioningApplication.keyEncryptionKey(settings, bed.options());
            }

            @Override
            public String versionPrefix() {
                return KeyVaultKeyEncryptionKey.PREFIX + bed.keyId() + "/";
            }

            @Override
            public void retire(AppSettings settings, String version) {
                bed.vault.disable(bed.keyName, version.substring(versionPrefix().length()));
            }
        };
    }
}
