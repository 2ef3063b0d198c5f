package dev.opendps.adapters.identity;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.config.AppSettings;
import dev.opendps.config.Setting;
import dev.opendps.wire.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * An Azure SDK {@link TokenCredential} for the app's managed identity, from the identity endpoint App Service and
 * Azure Functions give an app with an identity ({@code IDENTITY_ENDPOINT}, {@code IDENTITY_HEADER}): {@code GET
 * {IDENTITY_ENDPOINT}?resource=…&api-version=2019-08-01[&client_id=…]} with {@code X-IDENTITY-HEADER}, answered with
 * {@code access_token} and {@code expires_on}. It serves any audience the SDK asks for (a scope
 * {@code https://vault.azure.net/.default} is the resource {@code https://vault.azure.net}).
 *
 * <p>It is what the Azure SDK's {@code ManagedIdentityCredential} does on App Service, without its fallback to
 * the instance metadata address 169.254.169.254: on a machine without {@code IDENTITY_ENDPOINT} this credential is
 * not built at all, so nothing probes that address (local runs, tests). Tokens are reused per resource until
 * {@link #RENEWAL_MARGIN} before they expire. Failures are {@link TokenException}s whose messages say what the
 * endpoint answered, never a token or the identity header.
 */
public final class ManagedIdentityTokenCredential implements TokenCredential {
    public static final String IDENTITY_ENDPOINT = "IDENTITY_ENDPOINT";
    public static final String IDENTITY_HEADER = "IDENTITY_HEADER";
    public static final String API_VERSION = "2019-08-01";
    static final Duration RENEWAL_MARGIN = Duration.ofMinutes(5);
    private static final String DEFAULT_SCOPE_SUFFIX = "/.default";
    private static final Logger LOG = Logger.getLogger(ManagedIdentityTokenCredential.class.getName());

    private final URI endpoint;
    private final String identityHeader;
    private final String clientId;
    private final String identityName;
    private final HttpClient http;
    private final Clock clock;
    private final Duration timeout;
    private final Map<String, AccessToken> tokens = new ConcurrentHashMap<>();

    /**
     * @param identityEndpoint the platform's {@code IDENTITY_ENDPOINT}
     * @param identityHeader   the platform's {@code IDENTITY_HEADER}, sent as {@code X-IDENTITY-HEADER}
     * @param clientId         a user-assigned identity's client id; null or blank: the system-assigned identity
     * @param timeout          how long one fetch may wait for the endpoint's answer
     */
    public ManagedIdentityTokenCredential(URI identityEndpoint, String identityHeader, String clientId,
                                          HttpClient http, Clock clock, Duration timeout) {
        this.endpoint = Objects.requireNonNull(identityEndpoint, "identityEndpoint");
        this.identityHeader = Objects.requireNonNull(identityHeader, "identityHeader");
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        boolean userAssigned = clientId != null && !clientId.isBlank();
        this.clientId = userAssigned ? clientId.strip() : null;
        this.identityName = userAssigned ? "the user-assigned managed identity " + this.clientId
                : "the system-assigned managed identity";
    }

    /**
     * The app's managed identity if the platform gave it one ({@value #IDENTITY_ENDPOINT} and
     * {@value #IDENTITY_HEADER} set), with the client id of {@link Setting#HUB_MANAGED_IDENTITY_CLIENT_ID}
     * (the deployment's one user-assigned identity; empty: the system-assigned one).
     */
    public static Optional<ManagedIdentityTokenCredential> fromSettings(AppSettings settings, Duration timeout) {
        Optional<String> endpoint = settings.find(IDENTITY_ENDPOINT);
        Optional<String> header = settings.find(IDENTITY_HEADER);
        if (endpoint.isEmpty() || header.isEmpty()) {
            return Optional.empty();
        }
        // HTTP/1.1: the endpoint is plain HTTP on the host, where an h2c upgrade only costs a round trip.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        return Optional.of(new ManagedIdentityTokenCredential(URI.create(endpoint.get()), header.get(),
                settings.get(Setting.MANAGED_IDENTITY_CLIENT_ID), http, Clock.systemUTC(), timeout));
    }

    /** Which identity this is, for messages: never a secret. */
    public String identityName() {
        return identityName;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return Mono.fromCallable(() -> getTokenSync(request)).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        String resource = resource(request.getScopes());
        Instant now = clock.instant();
        AccessToken cached = tokens.get(resource);
        if (cached != null && now.isBefore(cached.getRefreshAt().toInstant())) {
            return cached;
        }
        synchronized (this) {
            cached = tokens.get(resource);
            now = clock.instant();
            if (cached != null && now.isBefore(cached.getRefreshAt().toInstant())) {
                return cached; // another thread fetched it while this one waited
            }
            try {
                AccessToken fresh = fetch(resource, now);
                tokens.put(resource, fresh);
                return fresh;
            } catch (TokenException e) {
                if (cached != null && now.isBefore(cached.getExpiresAt().toInstant())) {
                    LOG.warning("Could not renew the token of " + identityName + " for " + resource + ", using the"
                            + " current one until " + cached.getExpiresAt() + ": " + e.getMessage());
                    return cached;
                }
                throw e;
            }
        }
    }

    /** The one resource the scopes name: {@code https://vault.azure.net/.default} is {@code https://vault.azure.net}. */
    static String resource(List<String> scopes) {
        if (scopes == null || scopes.size() != 1 || scopes.get(0) == null || scopes.get(0).isBlank()) {
            throw new IllegalArgumentException("A managed identity token is for exactly one resource, was asked for "
                    + scopes);
        }
        String scope = scopes.get(0).strip();
        return scope.endsWith(DEFAULT_SCOPE_SUFFIX)
                ? scope.substring(0, scope.length() - DEFAULT_SCOPE_SUFFIX.length()) : scope;
    }

    private AccessToken fetch(String resource, Instant now) {
        String query = "resource=" + encode(resource) + "&api-version=" + API_VERSION
                + (clientId == null ? "" : "&client_id=" + encode(clientId));
        String base = endpoint.toString();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + (base.contains("?") ? "&" : "?") + query))
                .timeout(timeout)
                .header("X-IDENTITY-HEADER", identityHeader)
                .header("Accept", "application/json")
                .GET().build();
        String asking = "Could not get a token for " + resource + " from " + identityName + ": ";
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new TokenException(false, asking + "the identity endpoint did not answer within "
                    + timeout.toMillis() + " ms.", e);
        } catch (IOException e) {
            throw new TokenException(false, asking + "the identity endpoint could not be reached ("
                    + e.getClass().getSimpleName() + ").", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenException(false, asking + "interrupted.", e);
        }
        int status = response.statusCode();
        if (status != 200) {
            boolean refused = status >= 400 && status < 500 && status != 408 && status != 429;
            throw new TokenException(refused, asking + "the identity endpoint answered " + status + ": "
                    + errorText(response.body()), null);
        }
        AccessToken token = read(response.body(), now);
        if (token == null) {
            throw new TokenException(false, asking + "the identity endpoint answered 200 without an"
                    + " access_token and a future expires_on.", null);
        }
        LOG.info("Got a token for " + resource + " from " + identityName + ", valid until " + token.getExpiresAt()
                + ".");
        return token;
    }

    /** The token in a 200 answer, or null if there is none or it has already expired. */
    private static AccessToken read(byte[] body, Instant now) {
        JsonNode answer;
        try {
            answer = Json.mapper().readTree(body);
        } catch (IOException e) {
            return null;
        }
        JsonNode value = answer == null ? null : answer.get("access_token");
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            return null;
        }
        Instant expiresOn = expiresOn(answer, now);
        if (expiresOn == null || !expiresOn.isAfter(now)) {
            return null;
        }
        // Renewed the margin before expiry; a token that lives less than twice the margin, halfway.
        Duration life = Duration.between(now, expiresOn);
        Instant refreshAt = life.compareTo(RENEWAL_MARGIN.multipliedBy(2)) > 0 ? expiresOn.minus(RENEWAL_MARGIN)
                : now.plus(life.dividedBy(2));
        return new AccessToken(value.asText(), expiresOn.atOffset(ZoneOffset.UTC), refreshAt.atOffset(ZoneOffset.UTC));
    }

    /** {@code expires_on} in Unix seconds (a number, or digits in a string); else {@code expires_in} from now. */
    private static Instant expiresOn(JsonNode answer, Instant now) {
        Long at = seconds(answer.get("expires_on"));
        if (at != null) {
            return Instant.ofEpochSecond(at);
        }
        Long in = seconds(answer.get("expires_in"));
        return in == null ? null : now.plusSeconds(in);
    }

    private static Long seconds(JsonNode node) {
        if (node != null && node.isNumber() && node.canConvertToExactIntegral()) {
            return node.asLong();
        }
        if (node != null && node.isTextual() && node.asText().strip().matches("\\d{1,12}")) {
            return Long.parseLong(node.asText().strip());
        }
        return null;
    }

    /** What an error answer says, bounded, printable and without the identity header. */
    private String errorText(byte[] body) {
        if (body == null || body.length == 0) {
            return "(no body)";
        }
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            JsonNode node = Json.mapper().readTree(body);
            for (String field : new String[] {"message", "Message", "error_description", "error"}) {
                if (node != null && node.path(field).isTextual()) {
                    text = node.get(field).asText();
                    break;
                }
            }
        } catch (IOException notJson) {
            // The text itself, then.
        }
        text = text.replace(identityHeader, "(identity header redacted)").replaceAll("[^\\x20-\\x7e]", "?");
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * The identity endpoint gave no token: it {@link #refused() refused} (no such identity, a wrong header: a
     * configuration problem) or failed (unreachable, slow, an error or an answer without a token: try again
     * later). The message says what the endpoint answered, never a token or the identity header.
     */
    public static final class TokenException extends RuntimeException {
        private final boolean refused;

        TokenException(boolean refused, String message, Throwable cause) {
            super(message, cause);
            this.refused = refused;
        }

        /** True if the endpoint refused (4xx other than 408 and 429), false if it failed or could not be reached. */
        public boolean refused() {
            return refused;
        }
    }
}
