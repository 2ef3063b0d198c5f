package dev.opendps.localhost.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FunctionKeyStoreTest {

    @TempDir
    Path data;

    @Test
    void keysAreGeneratedOnceStoredOwnerOnlyAndReused() throws Exception {
        FunctionKeys first = new FunctionKeyStore(data).loadOrCreate("app", null, null);
        FunctionKeys again = new FunctionKeyStore(data).loadOrCreate("app", null, null);
        assertThat(again).isEqualTo(first);
        assertThat(first.functionKey()).matches("[A-Za-z0-9_-]{43}");
        assertThat(List.of(first.functionKey(), first.hostKey(), first.masterKey())).doesNotHaveDuplicates();
        Path file = data.resolve("keys/app.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(first.toString()).doesNotContain(first.masterKey());
    }

    @Test
    void appsGetTheirOwnKeys() throws Exception {
        FunctionKeyStore store = new FunctionKeyStore(data);
        assertThat(store.loadOrCreate("a", null, null).masterKey()).isNotEqualTo(store.loadOrCreate("b", null, null).masterKey());
    }

    @Test
    void settingsOverrideWithoutBeingStored() throws Exception {
        FunctionKeyStore store = new FunctionKeyStore(data);
        FunctionKeys generated = store.loadOrCreate("app", null, null);
        FunctionKeys overridden = store.loadOrCreate("app", "fixed-function", "fixed-master");
        assertThat(overridden.functionKey()).isEqualTo("fixed-function");
        assertThat(overridden.masterKey()).isEqualTo("fixed-master");
        assertThat(overridden.hostKey()).isEqualTo(generated.hostKey());
        assertThat(Files.readString(data.resolve("keys/app.json"))).doesNotContain("fixed-");
    }

    @Test
    void levels() {
        FunctionKeys keys = new FunctionKeys("f", "h", "m");
        assertThat(keys.permits(AuthLevel.ANONYMOUS, null)).isTrue();
        assertThat(keys.permits(AuthLevel.FUNCTION, null)).isFalse();
        assertThat(keys.permits(AuthLevel.FUNCTION, "f")).isTrue();
        assertThat(keys.permits(AuthLevel.FUNCTION, "h")).isTrue();
        assertThat(keys.permits(AuthLevel.FUNCTION, "m")).isTrue();
        assertThat(keys.permits(AuthLevel.FUNCTION, "x")).isFalse();
        assertThat(keys.permits(AuthLevel.ADMIN, "f")).isFalse();
        assertThat(keys.permits(AuthLevel.ADMIN, "h")).isFalse();
        assertThat(keys.permits(AuthLevel.ADMIN, "m")).isTrue();
        assertThat(AuthLevel.parse("Function")).isEqualTo(AuthLevel.FUNCTION);
        assertThat(AuthLevel.parse(null)).isEqualTo(AuthLevel.FUNCTION);
    }
}
