package dev.opendps.adapters.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.domain.port.SecretProtectionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKeyFileTest {
    @TempDir
    Path dataDir;

    private static final byte[] DATA_KEY = new byte[32];

    static {
        for (int i = 0; i < DATA_KEY.length; i++) {
            DATA_KEY[i] = (byte) (i * 7 + 1);
        }
    }

    private Path kekFile() {
        return dataDir.resolve("keys").resolve("kek.json");
    }

    @Test
    void isCreatedOnFirstOpenReadableByItsOwnerOnly() throws Exception {
        assumeTrue(dataDir.getFileSystem().supportedFileAttributeViews().contains("posix"));

        LocalKeyFile kek = LocalKeyFile.openOrCreate(kekFile());

        assertThat(kek.currentVersion()).isEqualTo("local:1");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kekFile()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kekFile().getParent())))
                .isEqualTo("rwx------");
        try (var siblings = Files.list(kekFile().getParent())) {
            assertThat(siblings).containsExactly(kekFile()); // no temporary file left behind
        }
    }

    @Test
    void aDataKeyUnwrapsToWhatWasWrappedAndIsNotStoredAsIs() {
        LocalKeyFile kek = LocalKeyFile.openOrCreate(kekFile());

        KeyEncryptionKey.WrappedKey wrapped = kek.wrap(DATA_KEY);

        assertThat(wrapped.version()).isEqualTo("local:1");
        assertThat(wrapped.wrapped()).hasSize(40).isNotEqualTo(DATA_KEY);
        assertThat(kek.unwrap(wrapped.version(), wrapped.wrapped())).isEqualTo(DATA_KEY);
    }

    @Test
    void reopeningTheFileKeepsTheSameKey() {
        KeyEncryptionKey.WrappedKey wrapped = LocalKeyFile.openOrCreate(kekFile()).wrap(DATA_KEY);

        assertThat(LocalKeyFile.openOrCreate(kekFile()).unwrap(wrapped.version(), wrapped.wrapped()))
                .isEqualTo(DATA_KEY);
    }

    @Test
    void rotationMakesANewVersionCurrentAndKeepsTheOldOnesReadable() {
        LocalKeyFile kek = LocalKeyFile.openOrCreate(kekFile());
        KeyEncryptionKey.WrappedKey underFirst = kek.wrap(DATA_KEY);

        assertThat(kek.rotate()).isEqualTo("local:2");

        KeyEncryptionKey.WrappedKey underSecond = kek.wrap(DATA_KEY);
        assertThat(underSecond.version()).isEqualTo("local:2");
        assertThat(underSecond.wrapped()).isNotEqualTo(underFirst.wrapped());
        assertThat(kek.unwrap("local:1", underFirst.wrapped())).isEqualTo(DATA_KEY);
        assertThat(kek.unwrap("local:2", underSecond.wrapped())).isEqualTo(DATA_KEY);
        assertThat(LocalKeyFile.openOrCreate(kekFile()).currentVersion()).isEqualTo("local:2");
    }

    @Test
    void anotherInstanceOnTheSameFileFollowsARotation() throws Exception {
        LocalKeyFile running = LocalKeyFile.openOrCreate(kekFile());
        LocalKeyFile rotating = LocalKeyFile.openOrCreate(kekFile());

        rotating.rotate();
        KeyEncryptionKey.WrappedKey underSecond = rotating.wrap(DATA_KEY);

        // Reading meets the unknown version and re-reads the file at once ...
        assertThat(running.unwrap("local:2", underSecond.wrapped())).isEqualTo(DATA_KEY);
        // ... and writing picks the new current version up within the file check interval.
        LocalKeyFile other = LocalKeyFile.openOrCreate(kekFile());
        rotating.rotate();
        Thread.sleep(1100);
        assertThat(other.currentVersion()).isEqualTo("local:3");
    }

    @Test
    void anAlteredWrappedKeyFailsItsIntegrityCheck() {
        LocalKeyFile kek = LocalKeyFile.openOrCreate(kekFile());
        byte[] wrapped = kek.wrap(DATA_KEY).wrapped();
        wrapped[5] ^= 1;

        assertThatThrownBy(() -> kek.unwrap("local:1", wrapped))
                .isInstanceOf(SecretProtectionException.class)
                .hasMessageContaining("failed its integrity check");
    }

    @Test
    void anUnknownVersionIsNamedInTheError() {
        LocalKeyFile kek = LocalKeyFile.openOrCreate(kekFile());
        byte[] wrapped = kek.wrap(DATA_KEY).wrapped();

        assertThatThrownBy(() -> kek.unwrap("local:9", wrapped))
                .isInstanceOf(SecretProtectionException.class)
                .hasMessageContaining("'local:9' is not in");
        assertThatThrownBy(() -> kek.unwrap("keyvault:abc", wrapped))
                .isInstanceOf(SecretProtectionException.class)
                .hasMessageContaining("not a local key file's");
    }
}
