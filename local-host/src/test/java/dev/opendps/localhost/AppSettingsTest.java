package dev.opendps.localhost;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AppSettingsTest {

    @TempDir
    Path dir;

    @Test
    void environmentWinsOverLocalSettingsFile() throws Exception {
        Path file = dir.resolve("local.settings.json");
        Files.writeString(file, "{\"IsEncrypted\":false,\"Values\":{\"A\":\"file\",\"B\":\"file\",\"N\":5}}");
        AppSettings settings = AppSettings.load(Map.of("A", "env", "C", "env"), file);
        assertThat(settings.get("A")).hasValue("env");
        assertThat(settings.get("B")).hasValue("file");
        assertThat(settings.get("C")).hasValue("env");
        assertThat(settings.get("N")).hasValue("5");
        assertThat(settings.get("D")).isEmpty();
    }

    @Test
    void missingFileMeansEnvironmentOnly() throws Exception {
        AppSettings settings = AppSettings.load(Map.of("A", "env"), dir.resolve("absent.json"));
        assertThat(settings.get("A")).hasValue("env");
        assertThat(settings.fileValues()).isEmpty();
    }

    @Test
    void encryptedFilesAreRefused() throws Exception {
        Path file = dir.resolve("local.settings.json");
        Files.writeString(file, "{\"IsEncrypted\":true,\"Values\":{}}");
        assertThatThrownBy(() -> AppSettings.load(Map.of(), file)).hasMessageContaining("encrypted");
    }

    @Test
    void publishesOnlyFileValuesTheEnvironmentLacks() throws Exception {
        String fromFile = "APPSETTINGS_TEST_FILE_" + System.nanoTime();
        String inEnvironment = "APPSETTINGS_TEST_ENV_" + System.nanoTime();
        Path file = dir.resolve("local.settings.json");
        Files.writeString(file, "{\"Values\":{\"" + fromFile + "\":\"v1\",\"" + inEnvironment + "\":\"v2\"}}");
        try {
            List<String> published = AppSettings.load(Map.of(inEnvironment, "env"), file).publishAsSystemProperties();
            assertThat(published).containsExactly(fromFile);
            assertThat(System.getProperty(fromFile)).isEqualTo("v1");
            assertThat(System.getProperty(inEnvironment)).isNull();
        } finally {
            System.clearProperty(fromFile);
            System.clearProperty(inEnvironment);
        }
    }
}
