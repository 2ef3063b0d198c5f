package dev.opendps.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.opendps.wire.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the identity endpoint that App Service and Azure Functions give an app with a managed
 * identity ({@code IDENTITY_ENDPOINT}), over plain HTTP on 127.0.0.1 as on the platform: {@code GET
 * /msi/token?resource=…&api-version=2019-08-01[&client_id=…]} with {@code X-IDENTITY-HEADER} equal to
 * {@link #identityHeader()}, answered {@code {"access_token", "expires_on", "resource", "token_type",
 * "client_id"}}. Tokens are issued for {@value #RESOURCE} and for resources {@link #issueFor added}. The
 * system-assigned identity exists, user-assigned ones once {@link #addUserAssignedIdentity added}; anything else
 * is refused with 400 as the platform does.
 *
 * <p>Tokens are opaque, live {@link #tokenLifetime} on {@code clock}, and are what {@link #isValid} accepts
 * (hand it to {@link IotHubTestServer#acceptBearerTokens}); a server in another process asks
 * {@link #introspectionEndpoint()} instead. {@link #failWith}, {@link #answerWith} and {@link #stall} make it
 * misbehave; {@link #requests()} lists what it was asked.
 */
public final class ManagedIdentityTestEndpoint implements AutoCloseable {
    public static final String RESOURCE = "https://iothubs.azure.net";
    public static final String API_VERSION = "2019-08-01";
    private static final String SYSTEM_ASSIGNED = "system-assigned";

    /** One request: its decoded query parameters and whether it carried the right identity header. */
    public record Request(Map<String, String> query, boolean identityHeaderMatched) {
    }

    private record Issued(String identity, String resource, Instant expiresOn) {
    }

    private final LoopbackServer server;
    private final Clock clock;
    private final String identityHeader = "identity-header-" + UUID.randomUUID();
    private final Set<String> userAssigned = ConcurrentHashMap.newKeySet();
    private final Set<String> resources = ConcurrentHashMap.newKeySet();
    private final Map<String, Issued> issued = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    private volatile Duration lifetime = Duration.ofHours(24);
    private volatile boolean expiryAsNumber;
    private volatile int failureStatus;
    private volatile String rawAnswer;
    private volatile Duration stall = Duration.ZERO;

    private ManagedIdentityTestEndpoint(LoopbackServer server, Clock clock) {
        this.server = server;
        this.clock = clock;
        resources.add(RESOURCE);
    }

    /** Starts on a free port of 127.0.0.1; tokens expire and are checked on {@code clock}. */
    public static ManagedIdentityTestEndpoint start(Clock clock) {
        ManagedIdentityTestEndpoint endpoint = new ManagedIdentityTestEndpoint(
                LoopbackServer.http("identity-test-endpoint"), clock);
        endpoint.server.route("/msi/token", endpoint::handle).route("/introspect", endpoint::introspect).start();
        return endpoint;
    }

    /** What the platform puts in {@code IDENTITY_ENDPOINT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.port() + "/msi/token");
    }

    /** What the platform puts in {@code IDENTITY_HEADER}. */
    public String identityHeader() {
        return identityHeader;
    }

    public void addUserAssignedIdentity(String clientId) {
        userAssigned.add(clientId);
    }

    /** Issues tokens for {@code resource} too (an audience, e.g. a Cosmos DB account's origin). */
    public void issueFor(String resource) {
        resources.add(resource);
    }

    /**
     * Not the platform's: {@code GET …/introspect?token=…} answers {@code {"active": bool, "identity", "resource"}}
     * for a token this endpoint issued ({@code active} as {@link #isValid}), {@code {"active": false}} for any other.
     * For test servers in other processes (compat/cosmos/server.js), which cannot call {@link #isValid}.
     */
    public URI introspectionEndpoint() {
        return URI.create("http://127.0.0.1:" + server.port() + "/introspect");
    }

    /** How long tokens issued from now on live (default 24 hours, as App Service's do). */
    public void tokenLifetime(Duration lifetime) {
        this.lifetime = lifetime;
    }

    /** Writes {@code expires_on} as a JSON number instead of the platform's usual string of digits. */
    public void expiryAsNumber(boolean asNumber) {
        this.expiryAsNumber = asNumber;
    }

    /** Answers every request with {@code status} and a platform-style error body, until {@link #behave()}. */
    public void failWith(int status) {
        failureStatus = status;
    }

    /** Answers every request 200 with {@code body} as it is, until {@link #behave()}. */
    public void answerWith(String body) {
        rawAnswer = body;
    }

    /** Holds every answer back for {@code delay}, until {@link #behave()}. */
    public void stall(Duration delay) {
        stall = delay;
    }

    public void behave() {
        failureStatus = 0;
        rawAnswer = null;
        stall = Duration.ZERO;
    }

    /** Forgets every token issued so far, as if the identity had been removed and added again. */
    public void revokeAll() {
        issued.clear();
    }

    /** Whether this endpoint issued {@code token} and it has not expired (on the endpoint's clock). */
    public boolean isValid(String token) {
        Issued entry = token == null ? null : issued.get(token);
        return entry != null && clock.instant().isBefore(entry.expiresOn());
    }

    /** Which identity {@code token} was issued to: a client id, or {@code system-assigned}; null if unknown. */
    public String identityOf(String token) {
        Issued entry = token == null ? null : issued.get(token);
        return entry == null ? null : entry.identity();
    }

    /** Which resource (audience) {@code token} was issued for; null if unknown. */
    public String resourceOf(String token) {
        Issued entry = token == null ? null : issued.get(token);
        return entry == null ? null : entry.resource();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> query = LoopbackServer.query(exchange);
            boolean headerMatched = identityHeader.equals(exchange.getRequestHeaders().getFirst("X-IDENTITY-HEADER"));
            requests.add(new Request(query, headerMatched));
            if (!stall.isZero()) {
                try {
                    Thread.sleep(stall.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (rawAnswer != null) {
                send(exchange, 200, rawAnswer.getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (failureStatus != 0) {
                error(exchange, failureStatus, "The test endpoint was told to fail.");
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                error(exchange, 405, "Only GET is supported.");
            } else if (!headerMatched) {
                error(exchange, 401, "The X-IDENTITY-HEADER is missing or wrong.");
            } else if (!API_VERSION.equals(query.get("api-version"))) {
                error(exchange, 400, "Unsupported api-version.");
            } else if (!resources.contains(query.get("resource"))) {
                error(exchange, 400, "No token for that resource.");
            } else if (query.containsKey("client_id") && !userAssigned.contains(query.get("client_id"))) {
                error(exchange, 400, "Unable to load the proper Managed Identity.");
            } else {
                issue(exchange, query.getOrDefault("client_id", SYSTEM_ASSIGNED), query.get("resource"));
            }
        }
    }

    private void introspect(HttpExchange exchange) throws IOException {
        try (exchange) {
            String token = LoopbackServer.query(exchange).get("token");
            Issued entry = token == null ? null : issued.get(token);
            ObjectNode answer = Json.object().put("active", isValid(token));
            if (entry != null) {
                answer.put("identity", entry.identity()).put("resource", entry.resource());
            }
            send(exchange, 200, Json.bytes(answer));
        }
    }

    private void issue(HttpExchange exchange, String identity, String resource) throws IOException {
        String token = "mi-token-" + counter.incrementAndGet() + "-" + UUID.randomUUID();
        Instant expiresOn = clock.instant().plus(lifetime);
        issued.put(token, new Issued(identity, resource, expiresOn));
        ObjectNode answer = Json.object().put("access_token", token);
        if (expiryAsNumber) {
            answer.put("expires_on", expiresOn.getEpochSecond());
        } else {
            answer.put("expires_on", Long.toString(expiresOn.getEpochSecond()));
        }
        answer.put("resource", resource).put("token_type", "Bearer");
        if (!identity.equals(SYSTEM_ASSIGNED)) {
            answer.put("client_id", identity);
        }
        send(exchange, 200, Json.bytes(answer));
    }

    /** The platform's error body: {@code {"statusCode": …, "message": …, "correlationId": …}}. */
    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        ObjectNode body = Json.object().put("statusCode", status).put("message", message)
                .put("correlationId", UUID.randomUUID().toString());
        send(exchange, status, Json.bytes(body));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }
}
