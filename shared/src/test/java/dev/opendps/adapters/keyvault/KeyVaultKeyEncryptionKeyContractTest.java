package dev.opendps.adapters.keyvault;

import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.domain.port.KeyEncryptionKeyContract;
import dev.opendps.testing.KeyVaultTestBed;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Key Vault key-encryption key keeps the promises of every key-encryption key, against the project's Key
 * Vault test server: instances are separate clients (separate processes) on one key, which rotations share.
 */
class KeyVaultKeyEncryptionKeyContractTest extends KeyEncryptionKeyContract {
    private static KeyVaultTestBed bed;

    @BeforeAll
    static void start() {
        bed = KeyVaultTestBed.start("contract-kek");
    }

    @AfterAll
    static void stop() {
        if (bed != null) {
            bed.close();
        }
    }

    @Override
    protected KeyEncryptionKey open() {
        return KeyVaultKeyEncryptionKey.connect(KeyVaultKeyId.parse(bed.keyId()), bed.credential(), bed.options());
    }

    @Override
    protected String unknownVersion(KeyEncryptionKey kek) {
        return KeyVaultKeyEncryptionKey.PREFIX + bed.keyId() + "/0123456789abcdef0123456789abcdef";
    }

    @Override
    protected Duration propagation() {
        return Duration.ofSeconds(3); // the current version is read again every 200 ms here
    }
}
