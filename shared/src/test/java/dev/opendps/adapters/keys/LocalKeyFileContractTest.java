package dev.opendps.adapters.keys;

import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.domain.port.KeyEncryptionKeyContract;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The local key file keeps the promises of every key-encryption key; instances share one file. */
class LocalKeyFileContractTest extends KeyEncryptionKeyContract {
    @TempDir
    Path dataDir;

    @Override
    protected KeyEncryptionKey open() {
        return LocalKeyFile.openOrCreate(dataDir.resolve("keys/kek.json"));
    }

    @Override
    protected String unknownVersion(KeyEncryptionKey kek) {
        return "local:99";
    }

    @Override
    protected Duration propagation() {
        return Duration.ofSeconds(3); // the file is checked for a change once a second
    }
}
