package dev.opendps.localhost;

import dev.opendps.localhost.TestApps.Fn;
import dev.opendps.localhost.auth.FunctionKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What survives a restart with the same data directory, and a clean stop. */
class HostRestartTest {

    @TempDir
    Path temp;

    @Test
    void caServerCertificateAndKeysAreReusedAcrossRestarts() throws Exception {
        Path app = TestApps.write(temp.resolve("apps"), "app", null,
                List.of(Fn.of("Secure", "staticFunction", "static", "GET").auth("function")));
        HostSettings settings = HostSettings.builder(temp).port(0).dataDirectory(temp.resolve("data"))
                .appDirectories(List.of(app)).build();

        X509Certificate firstCa;
        X509Certificate firstServer;
        FunctionKeys firstKeys;
        String caPem;
        int firstPort;
        try (FunctionsHost first = FunctionsHost.start(settings)) {
            firstCa = first.caCertificate();
            firstServer = first.serverCertificate();
            firstKeys = first.keys("app");
            caPem = Files.readString(first.caCertificatePath());
            firstPort = first.port();
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", firstPort).close()).isInstanceOf(IOException.class);

        try (FunctionsHost second = FunctionsHost.start(settings)) {
            assertThat(second.caCertificate()).isEqualTo(firstCa);
            assertThat(second.serverCertificate()).isEqualTo(firstServer);
            assertThat(Files.readString(second.caCertificatePath())).isEqualTo(caPem);
            assertThat(second.keys("app").functionKey()).isEqualTo(firstKeys.functionKey());
            assertThat(second.keys("app").masterKey()).isEqualTo(firstKeys.masterKey());

            HttpClient trustingFirstCa = TestTls.client(TestTls.trusting(firstCa, null));
            HttpResponse<String> response = trustingFirstCa.send(HttpRequest.newBuilder(
                    URI.create(second.baseUri() + "/api/static?code=" + firstKeys.functionKey())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.body()).isEqualTo("static");
        }
    }

    @Test
    void keysFromSettingsAndTheLauncherSummary() throws Exception {
        Path app = TestApps.write(temp.resolve("apps"), "summary-app", "", List.of(
                Fn.of("Static", "staticFunction", "static/{x?}", "GET", "HEAD")));
        AppSettings appSettings = AppSettings.of(Map.of(
                "DPS_LOCAL_PORT", "0",
                "DPS_LOCAL_DATA_DIR", "data",
                "DPS_LOCAL_APPS", app.toString(),
                "DPS_LOCAL_FUNCTION_KEY", "configured-function-key",
                "DPS_LOCAL_MASTER_KEY", "configured-master-key"));
        try (FunctionsHost host = LocalHostMain.start(appSettings, temp)) {
            assertThat(host.keys("summary-app").functionKey()).isEqualTo("configured-function-key");
            assertThat(host.keys("summary-app").masterKey()).isEqualTo("configured-master-key");
            assertThat(host.caCertificatePath()).isEqualTo(temp.resolve("data/tls/ca.pem"));

            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            LocalHostMain.printSummary(host, new PrintStream(printed, true, StandardCharsets.UTF_8));
            String summary = printed.toString(StandardCharsets.UTF_8);
            assertThat(summary).contains("https://127.0.0.1:" + host.port())
                    .contains(host.caCertificatePath().toString())
                    .contains("GET,HEAD").contains("/static/{x?}").contains("[anonymous] Static")
                    .contains("configured-function-key").contains("configured-master-key")
                    .contains(host.keys("summary-app").hostKey());
        }
    }
}
