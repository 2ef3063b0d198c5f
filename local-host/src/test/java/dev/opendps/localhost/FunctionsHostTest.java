package dev.opendps.localhost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opendps.localhost.TestApps.Fn;
import dev.opendps.localhost.auth.FunctionKeys;
import dev.opendps.localhost.fixture.FixtureInjector;
import dev.opendps.localhost.fixture.InjectedFunction;
import dev.opendps.testing.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The host over real HTTPS, serving generated function.json apps backed by the fixture functions. */
class FunctionsHostTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;

    @TempDir
    static Path temp;

    static FunctionsHost host;
    static HttpClient client;
    static SSLContext trustOnly;

    @BeforeAll
    static void start() throws Exception {
        Path apps = temp.resolve("apps");
        Path api = TestApps.write(apps, "api-app", null, List.of(
                Fn.of("Echo", "echo", "echo/{id}"),
                Fn.of("ItemsQuery", "route", "items/query", "POST"),
                Fn.of("ItemGet", "route", "items/{id}", "GET", "post"),
                Fn.of("Optional", "route", "opt/{name?}", "GET"),
                Fn.of("Files", "route", "files/{*path}", "GET"),
                Fn.of("NumberRoute", "route", "num/{n:int}", "GET"),
                Fn.of("AlphaRoute", "route", "num/{s:alpha}", "GET"),
                Fn.of("MixedCase", "route", "Mixed/Case", "GET"),
                Fn.of("Route", "route", null, "GET"),
                Fn.of("BodyString", "bodyString", "body/string", "POST"),
                Fn.of("BodyBytes", "bodyBytes", "body/bytes", "POST"),
                Fn.of("BodyOptionalBytes", "bodyOptionalBytes", "body/optional-bytes", "POST"),
                Fn.of("Respond", "respond", "respond"),
                Fn.of("Fail", "fail", "fail", "GET"),
                Fn.of("WhoAmI", "whoAmI", "whoami", "GET"),
                Fn.of("Instance", "instance", "instance", "GET"),
                Fn.of("Setting", "setting", "setting/{name}", "GET"),
                Fn.of("Static", "staticFunction", "static", "GET"),
                Fn.of("Secure", "whoAmI", "secure", "GET").auth("FUNCTION"),
                Fn.of("AdminOnly", "whoAmI", "admin-only", "GET").auth("admin")));
        Path root = TestApps.write(apps, "root-app", "", List.of(Fn.of("RootEcho", "echo", "root-echo/{id}", "GET")));
        Path injected = TestApps.write(apps, "injected-app", "/inj/", List.of(
                new Fn("Injected", InjectedFunction.class.getName() + ".run", "hello", List.of("GET"), "anonymous"),
                Fn.of("InjectedInstance", "instance", "instance", "GET")));
        TestApps.addServiceJar(injected, "injector.jar",
                "com.microsoft.azure.functions.spi.inject.FunctionInstanceInjector", FixtureInjector.class.getName());

        host = FunctionsHost.start(HostSettings.builder(temp).port(0).dataDirectory(temp.resolve("data"))
                .appDirectories(List.of(api, root, injected)).maxRequestBodyBytes(MAX_BODY).workerThreads(4).build());
        trustOnly = TestTls.trusting(host.caCertificate(), null);
        client = TestTls.client(trustOnly);
    }

    @AfterAll
    static void stop() {
        if (host != null) {
            host.close();
        }
    }

    // ---- helpers ----

    static HttpResponse<String> call(String method, String path, String body, String... headers) throws Exception {
        return call(client, method, path, body, headers);
    }

    static HttpResponse<String> call(HttpClient with, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + host.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return with.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    static String function(String method, String path) throws Exception {
        return json(call(method, path, null)).get("function").asText();
    }

    // ---- routing ----

    @Nested
    class Routing {

        @Test
        void literalSegmentBeatsParameterForTheSameMethod() throws Exception {
            assertThat(function("POST", "/api/items/query")).isEqualTo("ItemsQuery");
            assertThat(function("POST", "/api/items/other")).isEqualTo("ItemGet");
        }

        @Test
        void parameterRouteStillServesMethodsTheLiteralRouteLacks() throws Exception {
            JsonNode response = json(call("GET", "/api/items/query", null));
            assertThat(response.get("function").asText()).isEqualTo("ItemGet");
            assertThat(response.get("id").asText()).isEqualTo("query");
        }

        @Test
        void optionalParameterMayBeAbsent() throws Exception {
            JsonNode absent = json(call("GET", "/api/opt", null));
            assertThat(absent.get("function").asText()).isEqualTo("Optional");
            assertThat(absent.get("name").isNull()).isTrue();
            assertThat(json(call("GET", "/api/opt/joe", null)).get("name").asText()).isEqualTo("joe");
        }

        @Test
        void catchAllTakesTheRestOfThePath() throws Exception {
            assertThat(json(call("GET", "/api/files/a/b/c.txt", null)).get("path").asText()).isEqualTo("a/b/c.txt");
            assertThat(json(call("GET", "/api/files", null)).get("path").isNull()).isTrue();
        }

        @Test
        void inlineConstraintsSelectTheRoute() throws Exception {
            JsonNode number = json(call("GET", "/api/num/42", null));
            assertThat(number.get("function").asText()).isEqualTo("NumberRoute");
            assertThat(number.get("n").asText()).isEqualTo("42");
            assertThat(function("GET", "/api/num/abc")).isEqualTo("AlphaRoute");
            assertThat(call("GET", "/api/num/4a", null).statusCode()).isEqualTo(404);
        }

        @Test
        void literalsMatchCaseInsensitively() throws Exception {
            assertThat(function("GET", "/API/mixed/CASE")).isEqualTo("MixedCase");
            assertThat(json(call("GET", "/api/ITEMS/Abc", null)).get("id").asText()).isEqualTo("Abc");
        }

        @Test
        void routeValuesArePercentDecodedAndPlusStaysPlus() throws Exception {
            assertThat(json(call("GET", "/api/items/a%20b%2Fc", null)).get("id").asText()).isEqualTo("a b/c");
            assertThat(json(call("GET", "/api/items/a+b", null)).get("id").asText()).isEqualTo("a+b");
            assertThat(json(call("GET", "/api/items/%C3%A9t%C3%A9", null)).get("id").asText()).isEqualTo("été");
        }

        @Test
        void trailingSlashIsTolerated() throws Exception {
            assertThat(json(call("GET", "/api/items/abc/", null)).get("id").asText()).isEqualTo("abc");
        }

        @Test
        void absentRouteIsTheFunctionName() throws Exception {
            assertThat(function("GET", "/api/Route")).isEqualTo("Route");
        }

        @Test
        void unknownPathIs404WithEmptyBody() throws Exception {
            HttpResponse<String> response = call("GET", "/api/nothing/here", null);
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.body()).isEmpty();
        }

        @Test
        void knownPathWithWrongMethodIs405() throws Exception {
            HttpResponse<String> response = call("DELETE", "/api/items/query", null);
            assertThat(response.statusCode()).isEqualTo(405);
            assertThat(response.headers().firstValue("allow")).hasValue("GET, POST");
        }

        @Test
        void functionWithoutMethodsAcceptsAll() throws Exception {
            for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH")) {
                JsonNode response = json(call(method, "/api/echo/1", method.equals("GET") ? null : "x"));
                assertThat(response.get("method").asText()).isEqualTo(method);
            }
        }

        @Test
        void emptyRoutePrefixServesAtTheRoot() throws Exception {
            assertThat(function("GET", "/root-echo/7")).isEqualTo("RootEcho");
            assertThat(call("GET", "/api/root-echo/7", null).statusCode()).isEqualTo(404);
            assertThat(call("GET", "/items/abc", null).statusCode()).isEqualTo(404);
        }

        @Test
        void hostListsRoutesWithPrefixes() {
            HostedApp api = host.app("api-app").orElseThrow();
            assertThat(api.routePrefix()).isEqualTo("api");
            assertThat(api.functions()).extracting(HostedFunction::path).contains("/api/items/query", "/api/items/{id}");
            assertThat(api.functions()).filteredOn(f -> f.name().equals("ItemGet")).singleElement()
                    .satisfies(f -> assertThat(f.methods()).containsExactlyInAnyOrder("GET", "POST"));
            assertThat(host.app("root-app").orElseThrow().functions()).extracting(HostedFunction::path)
                    .containsExactly("/root-echo/{id}");
            assertThat(host.app("injected-app").orElseThrow().routePrefix()).isEqualTo("inj");
        }
    }

    // ---- the request model ----

    @Nested
    class RequestModel {

        @Test
        void headersArriveLowerCaseAndQueryDecoded() throws Exception {
            JsonNode response = json(call("GET", "/api/echo/5?a=1&b=hello%20world&b=2&plus=a+b&flag", null,
                    "X-Custom-Header", "Value", "Authorization", "SharedAccessSignature sr=x"));
            JsonNode headers = response.get("headers");
            assertThat(headers.get("x-custom-header").asText()).isEqualTo("Value");
            assertThat(headers.get("authorization").asText()).isEqualTo("SharedAccessSignature sr=x");
            headers.fieldNames().forEachRemaining(name -> assertThat(name).isLowerCase());
            JsonNode query = response.get("query");
            assertThat(query.get("a").asText()).isEqualTo("1");
            assertThat(query.get("b").asText()).isEqualTo("hello world,2");
            assertThat(query.get("plus").asText()).isEqualTo("a b");
            assertThat(query.get("flag").asText()).isEmpty();
            assertThat(response.get("uri").asText()).isEqualTo("https://127.0.0.1:" + host.port()
                    + "/api/echo/5?a=1&b=hello%20world&b=2&plus=a+b&flag");
        }

        @Test
        void contextCarriesFunctionNameInvocationIdAndLogger() throws Exception {
            JsonNode first = json(call("GET", "/api/echo/1", null));
            JsonNode second = json(call("GET", "/api/echo/1", null));
            assertThat(first.get("function").asText()).isEqualTo("Echo");
            assertThat(first.get("logger").asText()).contains("Echo");
            assertThat(first.get("invocationId").asText()).matches("[0-9a-f-]{36}")
                    .isNotEqualTo(second.get("invocationId").asText());
        }

        @Test
        void functionRunsInItsAppClassLoaderAndSeesTheHostsRequest() throws Exception {
            JsonNode response = json(call("GET", "/api/echo/1", null));
            assertThat(response.get("classLoader").asText()).isEqualTo("function-app-api-app");
            assertThat(response.get("requestClass").asText()).isEqualTo("dev.opendps.localhost.http.LocalHttpRequestMessage");
        }

        @Test
        void bodyAsOptionalString() throws Exception {
            assertThat(json(call("POST", "/api/echo/1", "{\"x\":1}")).get("body").asText()).isEqualTo("{\"x\":1}");
            assertThat(json(call("GET", "/api/echo/1", null)).get("body").isNull()).isTrue();
        }

        @Test
        void bodyAsString() throws Exception {
            HttpResponse<String> response = call("POST", "/api/body/string", "héllo",
                    "Content-Type", "text/plain; charset=utf-8");
            assertThat(response.body()).isEqualTo("5:héllo");
            assertThat(call("POST", "/api/body/string", null).body()).isEqualTo("null");
        }

        @Test
        void bodyAsBytesRoundTrips() throws Exception {
            byte[] body = {0, 1, 2, (byte) 0xff};
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + host.port() + "/api/body/bytes"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.body()).containsExactly((byte) 0xff, 2, 1, 0);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/octet-stream");
        }

        @Test
        void bodyAsOptionalBytes() throws Exception {
            assertThat(call("POST", "/api/body/optional-bytes", "abc").body()).isEqualTo("present:3");
            assertThat(call("POST", "/api/body/optional-bytes", null).body()).isEqualTo("empty");
        }

        @Test
        void oversizedBodyIs413() throws Exception {
            HttpResponse<String> response = call("POST", "/api/body/string", "x".repeat(MAX_BODY + 1));
            assertThat(response.statusCode()).isEqualTo(413);
        }
    }

    // ---- responses ----

    @Nested
    class Responses {

        @Test
        void statusHeadersAndTextBodyRoundTrip() throws Exception {
            HttpResponse<String> response = call("POST", "/api/respond?kind=text", "");
            assertThat(response.statusCode()).isEqualTo(201);
            assertThat(response.headers().firstValue("x-custom")).hasValue("yes");
            assertThat(response.headers().firstValue("location")).hasValue("/things/1");
            assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
            assertThat(response.body()).isEqualTo("created");
        }

        @Test
        void objectBodyIsJson() throws Exception {
            HttpResponse<String> response = call("GET", "/api/respond?kind=json", null);
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
            assertThat(JSON.readTree(response.body()).get("a").asInt()).isEqualTo(1);
        }

        @Test
        void customStatusAndFunctionContentType() throws Exception {
            HttpResponse<String> response = call("GET", "/api/respond?kind=custom", null);
            assertThat(response.statusCode()).isEqualTo(299);
            assertThat(response.headers().firstValue("content-type")).hasValue("text/x-custom");
            assertThat(response.body()).isEqualTo("custom");
        }

        @Test
        void returnedValuesWithoutResponseMessage() throws Exception {
            HttpResponse<String> plain = call("GET", "/api/respond?kind=string", null);
            assertThat(plain.statusCode()).isEqualTo(200);
            assertThat(plain.body()).isEqualTo("plain string");
            assertThat(call("GET", "/api/respond?kind=null", null).statusCode()).isEqualTo(204);
            assertThat(call("GET", "/api/respond?kind=empty", null).statusCode()).isEqualTo(204);
            assertThat(call("GET", "/api/static", null).body()).isEqualTo("static");
        }

        @Test
        void functionExceptionIs500WithoutDetails() throws Exception {
            HttpResponse<String> response = call("GET", "/api/fail", null);
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).doesNotContain("boom").doesNotContain("secret");
            assertThat(call("GET", "/api/static", null).statusCode()).isEqualTo(200);
        }

        @Test
        void pipelinedRequestsAreAnsweredInOrder() throws Exception {
            try (SSLSocket socket = (SSLSocket) trustOnly.getSocketFactory().createSocket("127.0.0.1", host.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("GET /api/echo/first?sleepMs=200 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        + "GET /api/echo/second HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    ids.add(JSON.readTree(readResponseBody(in)).get("id").asText());
                }
                assertThat(ids).containsExactly("first", "second");
            }
        }

        private String readResponseBody(InputStream in) throws Exception {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                head.write(in.read());
            }
            int length = 0;
            for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            return new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
    }

    // ---- instances ----

    @Nested
    class Instances {

        @Test
        void withoutInjectorOneInstancePerClassIsReused() throws Exception {
            String first = call("GET", "/api/instance", null).body();
            assertThat(call("GET", "/api/instance", null).body()).isEqualTo(first);
        }

        @Test
        void appInjectorIsAskedOnEveryInvocation() throws Exception {
            String first = call("GET", "/inj/hello", null).body();
            String second = call("GET", "/inj/hello", null).body();
            assertThat(first).startsWith("injected#");
            assertThat(second).startsWith("injected#").isNotEqualTo(first);
        }

        @Test
        void injectorAlsoCreatesPlainFunctionsPerInvocation() throws Exception {
            String first = call("GET", "/inj/instance", null).body();
            assertThat(call("GET", "/inj/instance", null).body()).isNotEqualTo(first);
        }
    }

    // ---- keys ----

    @Nested
    class AuthLevels {

        @Test
        void functionLevelWithoutOrWithWrongKeyIs401() throws Exception {
            HttpResponse<String> none = call("GET", "/api/secure", null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.body()).isEmpty();
            assertThat(call("GET", "/api/secure?code=wrong", null).statusCode()).isEqualTo(401);
            assertThat(call("GET", "/api/secure", null, "x-functions-key", "wrong").statusCode()).isEqualTo(401);
        }

        @Test
        void functionLevelAcceptsFunctionHostAndMasterKeys() throws Exception {
            FunctionKeys keys = host.keys("api-app");
            assertThat(call("GET", "/api/secure?code=" + keys.functionKey(), null).statusCode()).isEqualTo(200);
            assertThat(call("GET", "/api/secure", null, "x-functions-key", keys.hostKey()).statusCode()).isEqualTo(200);
            assertThat(call("GET", "/api/secure", null, "X-Functions-Key", keys.masterKey()).statusCode()).isEqualTo(200);
        }

        @Test
        void adminLevelNeedsTheMasterKey() throws Exception {
            FunctionKeys keys = host.keys("api-app");
            assertThat(call("GET", "/api/admin-only?code=" + keys.functionKey(), null).statusCode()).isEqualTo(401);
            assertThat(call("GET", "/api/admin-only", null, "x-functions-key", keys.hostKey()).statusCode()).isEqualTo(401);
            assertThat(call("GET", "/api/admin-only?code=" + keys.masterKey(), null).statusCode()).isEqualTo(200);
        }

        @Test
        void keysArePerApp() {
            assertThat(host.keys("api-app").functionKey()).isNotEqualTo(host.keys("root-app").functionKey());
            assertThat(host.keys("api-app").masterKey()).hasSizeGreaterThanOrEqualTo(43);
        }
    }

    // ---- client certificates ----

    @Nested
    class ClientCertificates {

        @Test
        void presentedLeafIsForwardedAsBase64Der() throws Exception {
            TestTls.ClientIdentity device = TestTls.selfSignedClient("device-1");
            HttpClient withCertificate = TestTls.client(TestTls.trusting(host.caCertificate(), device));
            String forwarded = call(withCertificate, "GET", "/api/whoami", null).body();
            assertThat(Base64.getDecoder().decode(forwarded)).isEqualTo(device.certificate().getEncoded());
        }

        @Test
        void certificatesAfterTheLeafAreForwardedInTheChainHeader() throws Exception {
            TestPki.Credential root = TestPki.rootCa("Chain Root").issue();
            TestPki.Credential intermediate = TestPki.intermediateCa("Chain Intermediate", root).issue();
            TestPki.Credential leaf = TestPki.device("device-chain", intermediate).issue();
            TestTls.ClientIdentity device = new TestTls.ClientIdentity(leaf.certificate(), leaf.keyPair(),
                    intermediate.certificate());
            HttpClient withChain = TestTls.client(TestTls.trusting(host.caCertificate(), device));

            String[] forwarded = call(withChain, "GET", "/api/whoami", null, "x-opendps-clientcert-chain", "spoofed")
                    .body().split("\\|");

            assertThat(forwarded).hasSize(2);
            assertThat(Base64.getDecoder().decode(forwarded[0])).isEqualTo(leaf.certificate().getEncoded());
            assertThat(Base64.getDecoder().decode(forwarded[1])).isEqualTo(intermediate.certificate().getEncoded());
            assertThat(call("GET", "/api/whoami", null, "X-OpenDPS-ClientCert-Chain", "spoofed").body())
                    .as("a client cannot send the chain header itself").isEqualTo("none");
        }

        @Test
        void clientWithoutCertificateConnectsAndGetsNoHeader() throws Exception {
            assertThat(call("GET", "/api/whoami", null).body()).isEqualTo("none");
        }

        @Test
        void spoofedHeaderIsRemoved() throws Exception {
            String spoofed = Base64.getEncoder().encodeToString("not a certificate".getBytes(StandardCharsets.UTF_8));
            assertThat(call("GET", "/api/whoami", null, "X-ARR-ClientCert", spoofed).body()).isEqualTo("none");

            TestTls.ClientIdentity device = TestTls.selfSignedClient("device-2");
            HttpClient withCertificate = TestTls.client(TestTls.trusting(host.caCertificate(), device));
            String forwarded = call(withCertificate, "GET", "/api/whoami", null, "x-arr-clientcert", spoofed).body();
            assertThat(Base64.getDecoder().decode(forwarded)).isEqualTo(device.certificate().getEncoded());
        }

        @Test
        void resumedTls12SessionStillForwardsTheCertificate() throws Exception {
            TestTls.ClientIdentity device = TestTls.selfSignedClient("device-3");
            SSLContext context = TestTls.trusting(host.caCertificate(), device);
            // Two clients share the SSLContext's session cache but not connections: the second handshake resumes.
            HttpResponse<String> first = call(TestTls.client(context, "TLSv1.2"), "GET", "/api/whoami", null);
            HttpResponse<String> second = call(TestTls.client(context, "TLSv1.2"), "GET", "/api/whoami", null);
            assertThat(second.sslSession().orElseThrow().getId()).isEqualTo(first.sslSession().orElseThrow().getId());
            assertThat(Base64.getDecoder().decode(second.body())).isEqualTo(device.certificate().getEncoded());
        }

        @Test
        void tls13ReconnectionsForwardTheCertificate() throws Exception {
            TestTls.ClientIdentity device = TestTls.selfSignedClient("device-4");
            SSLContext context = TestTls.trusting(host.caCertificate(), device);
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = call(TestTls.client(context, "TLSv1.3"), "GET", "/api/whoami", null);
                assertThat(response.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");
                assertThat(Base64.getDecoder().decode(response.body())).isEqualTo(device.certificate().getEncoded());
            }
        }
    }

    // ---- settings ----

    @Nested
    class Settings {

        @Test
        void publishedSettingsFileValuesReachFunctionCode() throws Exception {
            String name = "LOCALHOST_TEST_SETTING_" + System.nanoTime();
            Path file = temp.resolve("published.settings.json");
            java.nio.file.Files.writeString(file, "{\"IsEncrypted\":false,\"Values\":{\"" + name + "\":\"from-file\"}}");
            try {
                assertThat(AppSettings.load(Map.of(), file).publishAsSystemProperties()).containsExactly(name);
                assertThat(call("GET", "/api/setting/" + name, null).body()).isEqualTo("from-file");
            } finally {
                System.clearProperty(name);
            }
        }
    }
}
