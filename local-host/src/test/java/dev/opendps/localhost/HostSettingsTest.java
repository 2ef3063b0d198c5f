package dev.opendps.localhost;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostSettingsTest {

    @TempDir
    Path work;

    @Test
    void defaults() {
        HostSettings settings = HostSettings.from(AppSettings.of(Map.of()), work);
        assertThat(settings.port()).isEqualTo(8443);
        assertThat(settings.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(settings.dataDirectory()).isEqualTo(work.resolve(".dps-local"));
        assertThat(settings.appDirectories()).isEmpty(); // neither default app exists under this directory
        assertThat(settings.tlsHostNames()).isEmpty();
        assertThat(settings.workerThreads()).isGreaterThanOrEqualTo(4);
        assertThat(settings.maxRequestBodyBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(settings.functionKey()).isEmpty();
        assertThat(settings.masterKey()).isEmpty();
    }

    @Test
    void defaultAppsThatExistAreUsed() throws Exception {
        Path functions = Files.createDirectories(work.resolve("functions/target/azure-functions/opendps-functions"));
        assertThat(HostSettings.from(AppSettings.of(Map.of()), work).appDirectories()).containsExactly(functions);
    }

    @Test
    void overrides() {
        HostSettings settings = HostSettings.from(AppSettings.of(Map.of(
                "DPS_LOCAL_PORT", "0",
                "DPS_LOCAL_BIND", "0.0.0.0",
                "DPS_LOCAL_DATA_DIR", "state",
                "DPS_LOCAL_APPS", "a, /abs/b ,",
                "DPS_LOCAL_TLS_HOSTNAMES", "dps.test,10.0.0.1",
                "DPS_LOCAL_WORKER_THREADS", "3",
                "DPS_LOCAL_MAX_BODY_BYTES", "1024",
                "DPS_LOCAL_FUNCTION_KEY", "fk",
                "DPS_LOCAL_MASTER_KEY", "mk")), work);
        assertThat(settings.port()).isZero();
        assertThat(settings.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(settings.dataDirectory()).isEqualTo(work.resolve("state"));
        assertThat(settings.appDirectories()).containsExactly(work.resolve("a"), Path.of("/abs/b"));
        assertThat(settings.tlsHostNames()).containsExactly("dps.test", "10.0.0.1");
        assertThat(settings.workerThreads()).isEqualTo(3);
        assertThat(settings.maxRequestBodyBytes()).isEqualTo(1024);
        assertThat(settings.functionKey()).hasValue("fk");
        assertThat(settings.masterKey()).hasValue("mk");
        assertThat(settings.toString()).doesNotContain("fk").doesNotContain("mk");
    }

    @Test
    void blankValuesMeanDefaults() {
        HostSettings settings = HostSettings.from(AppSettings.of(Map.of(
                "DPS_LOCAL_PORT", "", "DPS_LOCAL_WORKER_THREADS", " ", "DPS_LOCAL_DATA_DIR", "",
                "DPS_LOCAL_FUNCTION_KEY", "", "DPS_LOCAL_TLS_HOSTNAMES", "")), work);
        assertThat(settings.port()).isEqualTo(8443);
        assertThat(settings.workerThreads()).isGreaterThanOrEqualTo(4);
        assertThat(settings.dataDirectory()).isEqualTo(work.resolve(".dps-local"));
        assertThat(settings.functionKey()).isEmpty();
        assertThat(settings.tlsHostNames()).isEmpty();
    }

    @Test
    void badNumbersAreReportedByName() {
        assertThatThrownBy(() -> HostSettings.from(AppSettings.of(Map.of("DPS_LOCAL_PORT", "x")), work))
                .hasMessageContaining("DPS_LOCAL_PORT");
        assertThatThrownBy(() -> HostSettings.builder(work).workerThreads(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void settingsFileValuesConfigureTheHost() throws Exception {
        Path file = work.resolve("local.settings.json");
        Files.writeString(file, "{\"Values\":{\"DPS_LOCAL_PORT\":\"9000\",\"DPS_LOCAL_BIND\":\"127.0.0.2\"}}");
        HostSettings settings = HostSettings.from(AppSettings.load(Map.of("DPS_LOCAL_PORT", "9001"), file), work);
        assertThat(settings.port()).isEqualTo(9001);
        assertThat(settings.bindAddress()).isEqualTo("127.0.0.2");
    }

    @Test
    void builderRoundTrip() {
        HostSettings settings = HostSettings.builder(work).port(1234).tlsHostNames(List.of("x")).build();
        assertThat(settings.toBuilder().build().toString()).isEqualTo(settings.toString());
    }
}
