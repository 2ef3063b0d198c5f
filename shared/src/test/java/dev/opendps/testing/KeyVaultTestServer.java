package dev.opendps.testing;

import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.opendps.wire.Json;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.net.ssl.SSLException;

/**
 * An in-process stand-in for the part of the Azure Key Vault keys REST API that the Key Vault key-encryption
 * key uses, over HTTPS on a free port of 127.0.0.1 (the SDK insists on https) with a certificate made at start;
 * {@link #httpClient()} is an Azure SDK HTTP client that trusts it. No Key Vault emulator is installable here,
 * so this server is the boundary the adapter is tested against (local-components.md, "Key Vault").
 *
 * <p>Authentication as Key Vault does it: a request without a valid bearer token is answered 401 with the
 * challenge {@code WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>",
 * resource="https://vault.azure.net"}, which the SDK answers by asking its credential for a token for that
 * resource and sending the request again. Tokens are what {@link #acceptBearerTokens} accepts (e.g. those
 * {@link ManagedIdentityTestEndpoint} issued for {@value #RESOURCE}). The SDK checks that the challenge's
 * resource matches the vault's host, which a server on 127.0.0.1 cannot: clients of this server turn that
 * check off.
 *
 * <p>Implemented, with {@code api-version} 7.0 to 7.6: {@code GET /keys/{name}} (the current version) and
 * {@code GET /keys/{name}/{version}}, {@code POST /keys/{name}/create} (a new key, or a new version of one),
 * {@code POST /keys/{name}/rotate} (a new version of an existing key), and {@code POST
 * /keys/{name}/{version}/wrapkey} and {@code /unwrapkey} with {@code RSA-OAEP-256} (RSAES-OAEP with SHA-256 and
 * MGF1-SHA-256) done for real with an RSA key per version that never leaves the server. Errors have Key
 * Vault's shape, {@code {"error":{"code":…,"message":…}}}: {@code KeyNotFound} 404, {@code BadParameter} 400 (a
 * wrapped key that does not decrypt, an unknown algorithm or api-version), {@code Forbidden} 403 (an operation
 * the key does not permit, or a disabled version). {@link #failWith} (every request, or some operations) and
 * {@link #stall} make it misbehave;
 * {@link #requests()} lists what it was asked (method and path, never a header's value).
 */
public final class KeyVaultTestServer implements AutoCloseable {
    public static final String RESOURCE = "https://vault.azure.net";
    /** The tenant named in the challenge (the SDK passes it to the credential; the identity endpoint ignores it). */
    public static final String TENANT = "00000000-0000-0000-0000-0000000000aa";
    private static final Set<String> API_VERSIONS = Set.of("7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6");
    private static final List<String> RSA_OPERATIONS = List.of("encrypt", "decrypt", "sign", "verify", "wrapKey",
            "unwrapKey");
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64URL_DECODER = Base64.getUrlDecoder();

    /** One request: its method and path (the query and headers left out). */
    public record Request(String method, String path) {
    }

    private record Version(String id, KeyPair keys, String type, List<String> operations, Instant created,
                           boolean enabled) {
        Version disabled() {
            return new Version(id, keys, type, operations, created, false);
        }
    }

    private final LoopbackServer server;
    private final LoopbackTls tls;
    /** Per key name, its versions in creation order (the last is current). */
    private final Map<String, List<Version>> keys = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Predicate<String> bearerTokens = token -> false;
    private volatile int failureStatus;
    private volatile Set<String> failingOperations = Set.of();
    private volatile Duration stall = Duration.ZERO;

    private KeyVaultTestServer(LoopbackServer server, LoopbackTls tls) {
        this.server = server;
        this.tls = tls;
    }

    public static KeyVaultTestServer start() {
        LoopbackTls tls = LoopbackTls.create();
        KeyVaultTestServer vault = new KeyVaultTestServer(LoopbackServer.https("keyvault-test-server", tls), tls);
        vault.server.route("/", vault::handle).start();
        return vault;
    }

    /** {@code https://127.0.0.1:<port>}: the vault's URL. */
    public String vaultUrl() {
        return "https://127.0.0.1:" + server.port();
    }

    /** The versionless identifier of the key {@code name}. */
    public String keyId(String name) {
        return vaultUrl() + "/keys/" + name;
    }

    /** An Azure SDK HTTP client (Netty, the SDK's default) that trusts this server's certificate. */
    public com.azure.core.http.HttpClient httpClient() {
        try {
            SslContext trusting = SslContextBuilder.forClient().trustManager(tls.certificate()).build();
            return new NettyAsyncHttpClientBuilder(reactor.netty.http.client.HttpClient.create()
                    .secure(spec -> spec.sslContext(trusting))).build();
        } catch (SSLException e) {
            throw new IllegalStateException("Could not make a TLS context trusting the Key Vault test server", e);
        }
    }

    /** A JDK TLS context that trusts this server's certificate (for plain HTTP clients). */
    public javax.net.ssl.SSLContext clientTls() {
        return tls.client();
    }

    /** Requests carrying {@code Authorization: Bearer <token>} for which {@code valid} holds are served. */
    public void acceptBearerTokens(Predicate<String> valid) {
        bearerTokens = valid;
    }

    /** Creates an RSA key {@code name} that may wrap and unwrap (as the Bicep template makes it); returns its version. */
    public String createKey(String name) {
        return addVersion(name, "RSA", List.of("wrapKey", "unwrapKey"));
    }

    /** A new current version of the key {@code name} (of its kind), as a rotation in Key Vault makes; returns it. */
    public String rotate(String name) {
        List<Version> versions = keys.get(name);
        if (versions == null) {
            throw new IllegalArgumentException("no key " + name);
        }
        Version last = versions.get(versions.size() - 1);
        return addVersion(name, last.type(), last.operations());
    }

    /**
     * Adds a version of kind {@code type} ({@code RSA}, {@code RSA-HSM} or {@code EC}: an EC key is listed but
     * cannot wrap) permitting {@code operations}; returns it.
     */
    public synchronized String addVersion(String name, String type, List<String> operations) {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type.startsWith("EC") ? "EC" : "RSA");
            generator.initialize(type.startsWith("EC") ? 256 : 2048);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        String id = UUID.randomUUID().toString().replace("-", "");
        List<Version> versions = new ArrayList<>(keys.getOrDefault(name, List.of()));
        versions.add(new Version(id, pair, type, List.copyOf(operations), Instant.now(), true));
        keys.put(name, List.copyOf(versions));
        return id;
    }

    /** Disables one version: it is still listed, but may no longer wrap or unwrap (403). */
    public synchronized void disable(String name, String version) {
        List<Version> versions = new ArrayList<>(keys.get(name));
        versions.replaceAll(v -> v.id().equals(version) ? v.disabled() : v);
        keys.put(name, List.copyOf(versions));
    }

    /** Answers every authenticated request with {@code status} and a Key Vault error body, until {@link #behave()}. */
    public void failWith(int status) {
        failWith(status, new String[0]);
    }

    /**
     * Answers authenticated requests for {@code operations} (the last path segment: {@code wrapkey},
     * {@code unwrapkey}, …; none: every request) with {@code status}, until {@link #behave()}.
     */
    public void failWith(int status, String... operations) {
        failingOperations = Set.of(operations);
        failureStatus = status;
    }

    /** Holds every answer back for {@code delay}, until {@link #behave()}. */
    public void stall(Duration delay) {
        stall = delay;
    }

    public void behave() {
        failureStatus = 0;
        stall = Duration.ZERO;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** How many requests so far ended with {@code operation} ({@code wrapkey}, {@code unwrapkey}, …) in their path. */
    public long count(String operation) {
        return requests.stream().filter(r -> r.path().endsWith("/" + operation)).count();
    }

    @Override
    public void close() {
        server.close();
    }

    // --- requests ---------------------------------------------------------------------------------------

    private record Answer(int status, JsonNode body) {
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            requests.add(new Request(method, path));
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (!stall.isZero()) {
                try {
                    Thread.sleep(stall.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !authorization.startsWith("Bearer ")
                    || !bearerTokens.test(authorization.substring("Bearer ".length()))) {
                // The challenge: where to get a token, and for which resource.
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer authorization=\""
                        + "https://login.microsoftonline.com/" + TENANT + "\", resource=\"" + RESOURCE + "\"");
                send(exchange, error(401, "Unauthorized", authorization == null
                        ? "AKV10000: Request is missing a Bearer or PoP token." : "AKV10022: Invalid token."));
                return;
            }
            int failure = failureStatus;
            Set<String> failing = failingOperations;
            if (failure != 0 && (failing.isEmpty() || failing.contains(path.substring(path.lastIndexOf('/') + 1)))) {
                if (failure == 429 || failure == 503) {
                    exchange.getResponseHeaders().set("Retry-After", "0");
                }
                send(exchange, error(failure, failureCode(failure), "The test server was told to fail."));
                return;
            }
            send(exchange, answer(method, path, LoopbackServer.query(exchange), body));
        }
    }

    private Answer answer(String method, String path, Map<String, String> query, byte[] body) {
        String apiVersion = query.get("api-version");
        if (apiVersion == null || !API_VERSIONS.contains(apiVersion)) {
            return error(400, "BadParameter", "The specified version (" + apiVersion + ") is not recognized."
                    + " Consider using the latest supported version (7.6).");
        }
        String[] segments = path.split("/");
        // "", "keys", name[, version or operation][, operation]
        if (segments.length < 3 || !segments[0].isEmpty() || !segments[1].equals("keys")) {
            return error(400, "BadParameter", "Unknown operation: " + method + " " + path);
        }
        String name = segments[2];
        if (segments.length == 3 && method.equals("GET")) {
            return bundle(name, null);
        }
        if (segments.length == 4 && method.equals("GET")) {
            return bundle(name, segments[3]);
        }
        if (segments.length == 4 && method.equals("POST") && segments[3].equals("create")) {
            JsonNode request = Json.parse(body);
            String type = request.path("kty").asText("RSA");
            List<String> operations = new ArrayList<>();
            request.path("key_ops").forEach(operation -> operations.add(operation.asText()));
            return bundle(name, addVersion(name, type, operations.isEmpty() ? RSA_OPERATIONS : operations));
        }
        if (segments.length == 4 && method.equals("POST") && segments[3].equals("rotate")) {
            if (!keys.containsKey(name)) {
                return notFound(name, null);
            }
            return bundle(name, rotate(name));
        }
        if (segments.length == 5 && method.equals("POST")
                && (segments[4].equals("wrapkey") || segments[4].equals("unwrapkey"))) {
            return operation(name, segments[3], segments[4].equals("wrapkey"), body);
        }
        return error(400, "BadParameter", "Unknown operation: " + method + " " + path);
    }

    private Answer bundle(String name, String versionId) {
        Version version = find(name, versionId);
        if (version == null) {
            return notFound(name, versionId);
        }
        ObjectNode bundle = Json.object();
        ObjectNode key = bundle.putObject("key");
        key.put("kid", keyId(name) + "/" + version.id());
        key.put("kty", version.type());
        version.operations().forEach(key.withArray("key_ops")::add);
        if (version.keys().getPublic() instanceof RSAPublicKey rsa) {
            key.put("n", B64URL.encodeToString(unsigned(rsa.getModulus())));
            key.put("e", B64URL.encodeToString(unsigned(rsa.getPublicExponent())));
        } else {
            key.put("crv", "P-256");
        }
        ObjectNode attributes = bundle.putObject("attributes");
        attributes.put("enabled", version.enabled());
        attributes.put("created", version.created().getEpochSecond());
        attributes.put("updated", version.created().getEpochSecond());
        attributes.put("recoveryLevel", "Recoverable+Purgeable");
        attributes.put("recoverableDays", 90);
        return new Answer(200, bundle);
    }

    private Answer operation(String name, String versionId, boolean wrap, byte[] body) {
        Version version = find(name, versionId);
        if (version == null) {
            return notFound(name, versionId);
        }
        String operation = wrap ? "wrapKey" : "unwrapKey";
        if (!version.enabled()) {
            return error(403, "Forbidden", "Operation " + operation + " is not allowed on a disabled key.");
        }
        if (!version.operations().contains(operation) || !version.type().startsWith("RSA")) {
            return error(403, "Forbidden", "Operation " + operation + " is not permitted on this key.");
        }
        JsonNode request;
        byte[] value;
        try {
            request = Json.parse(body);
            value = B64URL_DECODER.decode(request.path("value").asText());
        } catch (RuntimeException e) {
            return error(400, "BadParameter", "The request body is not valid.");
        }
        if (!"RSA-OAEP-256".equals(request.path("alg").asText())) {
            return error(400, "BadParameter", "Algorithm '" + request.path("alg").asText() + "' is not supported"
                    + " by this test server.");
        }
        byte[] result;
        try {
            Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
            OAEPParameterSpec oaep = new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                    PSource.PSpecified.DEFAULT);
            if (wrap) {
                cipher.init(Cipher.ENCRYPT_MODE, version.keys().getPublic(), oaep);
            } else {
                cipher.init(Cipher.DECRYPT_MODE, version.keys().getPrivate(), oaep);
            }
            result = cipher.doFinal(value);
        } catch (GeneralSecurityException e) {
            return error(400, "BadParameter", "The parameter is incorrect.");
        }
        ObjectNode answer = Json.object();
        answer.put("kid", keyId(name) + "/" + version.id());
        answer.put("value", B64URL.encodeToString(result));
        return new Answer(200, answer);
    }

    private Version find(String name, String versionId) {
        List<Version> versions = keys.get(name);
        if (versions == null || versions.isEmpty()) {
            return null;
        }
        if (versionId == null || versionId.isEmpty()) {
            return versions.get(versions.size() - 1);
        }
        return versions.stream().filter(v -> v.id().equals(versionId)).findFirst().orElse(null);
    }

    private static Answer notFound(String name, String version) {
        return error(404, "KeyNotFound", "A key with (name/id) " + name + (version == null ? "" : "/" + version)
                + " was not found in this key vault.");
    }

    private static String failureCode(int status) {
        return switch (status) {
            case 403 -> "Forbidden";
            case 429 -> "Throttled";
            case 503 -> "ServiceUnavailable";
            default -> "InternalServerError";
        };
    }

    private static Answer error(int status, String code, String message) {
        ObjectNode body = Json.object();
        body.putObject("error").put("code", code).put("message", message);
        return new Answer(status, body);
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        byte[] body = Json.bytes(answer.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(answer.status(), body.length);
        exchange.getResponseBody().write(body);
    }

    /** A big-endian magnitude without the sign byte Java adds, as JSON Web Keys carry it. */
    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            byte[] trimmed = new byte[bytes.length - 1];
            System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
            return trimmed;
        }
        return bytes;
    }
}
