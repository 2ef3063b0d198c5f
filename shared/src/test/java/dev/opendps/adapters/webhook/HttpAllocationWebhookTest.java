package dev.opendps.adapters.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.opendps.domain.allocation.AllocationRequest;
import dev.opendps.domain.allocation.DeviceRuntimeContext;
import dev.opendps.domain.allocation.DeviceRuntimeContext.PresentedAttestation;
import dev.opendps.domain.allocation.RegisteringDevice;
import dev.opendps.domain.port.AllocationWebhook.Outcome;
import dev.opendps.domain.port.Records;
import dev.opendps.testing.TestPki;
import dev.opendps.testing.TestPki.Credential;
import dev.opendps.testing.WebhookTestServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP adapter of the webhook port: what it posts, how it reads answers, whom it trusts over HTTPS. */
class HttpAllocationWebhookTest {
    private static final AllocationRequest REQUEST = new AllocationRequest(new RegisteringDevice(
            Records.enrollment("dev-1", Records.symmetricKey()), null,
            new DeviceRuntimeContext("dev-1", null, null, new PresentedAttestation.SymmetricKey(), null)),
            List.of("hub-a.azure-devices.net"));

    @TempDir
    Path dir;

    @Test
    void postsTheRequestAsJsonAndReadsTheAnswer() throws Exception {
        try (WebhookTestServer server = new WebhookTestServer()) {
            server.answer(201, "{\"iotHubHostName\":\"hub-a.azure-devices.net\"}");

            Outcome outcome = new HttpAllocationWebhook(Duration.ofSeconds(2), null)
                    .call(server.url("/api/f?code=key"), REQUEST);

            assertThat(outcome).isInstanceOf(Outcome.Answered.class);
            assertThat(((Outcome.Answered) outcome).statusCode()).isEqualTo(201);
            assertThat(((Outcome.Answered) outcome).body().get("iotHubHostName").asText())
                    .isEqualTo("hub-a.azure-devices.net");
            assertThat(server.last().header("Content-Type")).isEqualTo("application/json; charset=utf-8");
            assertThat(server.last().body()).contains("\"linkedHubs\":[\"hub-a.azure-devices.net\"]");
        }
    }

    @Test
    void anAnswerThatIsNotJsonHasNoBody() throws Exception {
        try (WebhookTestServer server = new WebhookTestServer()) {
            server.answer(200, "not json");

            Outcome outcome = new HttpAllocationWebhook(Duration.ofSeconds(2), null).call(server.url("/f"), REQUEST);

            assertThat(outcome).isEqualTo(new Outcome.Answered(200, null));
        }
    }

    @Test
    void anInvalidUrlIsUnreachableWithoutQuotingIt() {
        Outcome outcome = new HttpAllocationWebhook(Duration.ofSeconds(1), null).call("ftp://h/f?code=secret", REQUEST);

        assertThat(outcome).isInstanceOf(Outcome.Unreachable.class);
        assertThat(((Outcome.Unreachable) outcome).reason()).doesNotContain("secret");
    }

    @Test
    void httpsTrustsTheExtraCaFileAndOnlyWithIt() throws Exception {
        Credential ca = TestPki.rootCa("Webhook Test CA").issue();
        Credential server = TestPki.device("127.0.0.1", ca)
                .extendedKeyUsage(TestPki.ExtendedKeyUsage.SERVER_AUTH)
                .extension(Extension.subjectAlternativeName.getId(), false,
                        new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")).getEncoded())
                .issue();
        Path caFile = Files.writeString(dir.resolve("ca.pem"), TestPki.pem(ca.certificate()));
        HttpsServer https = httpsServer(server);
        try {
            String url = "https://127.0.0.1:" + https.getAddress().getPort() + "/api/f?code=key";

            Outcome trusted = new HttpAllocationWebhook(Duration.ofSeconds(2), caFile).call(url, REQUEST);
            Outcome untrusted = new HttpAllocationWebhook(Duration.ofSeconds(2), null).call(url, REQUEST);

            assertThat(trusted).isEqualTo(new Outcome.Answered(200, new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree("{\"iotHubHostName\":\"hub-a.azure-devices.net\"}")));
            assertThat(untrusted).isInstanceOf(Outcome.Unreachable.class);
            assertThat(((Outcome.Unreachable) untrusted).reason()).startsWith("TLS failed");
        } finally {
            https.stop(0);
        }
    }

    @Test
    void aCaFileWithoutCertificatesIsRefusedAtStart() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");

        assertThatThrownBy(() -> new HttpAllocationWebhook(Duration.ofSeconds(1), empty))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpAllocationWebhook(Duration.ofSeconds(1), dir.resolve("missing.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be read");
    }

    @Test
    void logsNameTheWebhookWithoutItsQuery() {
        assertThat(HttpAllocationWebhook.withoutQuery(URI.create("https://fn.example.net:8443/api/f?code=secret")))
                .isEqualTo("https://fn.example.net:8443/api/f");
    }

    private static HttpsServer httpsServer(Credential credential) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", credential.privateKey(), new char[0],
                new Certificate[] {credential.certificate(), credential.issuer().certificate()});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                byte[] body = "{\"iotHubHostName\":\"hub-a.azure-devices.net\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        return server;
    }
}
