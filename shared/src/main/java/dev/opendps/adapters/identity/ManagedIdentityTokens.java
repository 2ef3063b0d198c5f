package dev.opendps.adapters.identity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.adapters.RemoteText;
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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * Microsoft Entra tokens of the function app's managed identity, for any resource (audience), from the identity
 * endpoint that App Service and Azure Functions give every app with an identity: {@code GET
 * {IDENTITY_ENDPOINT}?resource=…&api-version=2019-08-01[&client_id=…]} with the header
 * {@code X-IDENTITY-HEADER: {IDENTITY_HEADER}}, answered with {@code access_token} and {@code expires_on} (Unix
 * seconds, a string or a number). Only that endpoint is ever asked: never the VM metadata address (IMDS), which is
 * what {@code DefaultAzureCredential} and {@code ManagedIdentityCredential} would probe off Azure.
 *
 * <p>One token per resource is reused until {@link #DEFAULT_RENEWAL_MARGIN} before it expires (halfway through a
 * short-lived one); one thread fetches while the others asking for the same resource wait for it. If a renewal
 * fails while the old token is still valid, the old token is used and the next call tries again. A failed fetch
 * is a {@link ManagedIdentityException}: refused (no such identity, a wrong header) or unavailable (unreachable,
 * slow, failing, an answer without a token). Neither tokens nor the identity header are ever logged or quoted.
 */
public final class ManagedIdentityTokens {
    /** The environment variables the Functions platform sets when the app has a managed identity. */
    public static final String IDENTITY_ENDPOINT = "IDENTITY_ENDPOINT";
    public static final String IDENTITY_HEADER = "IDENTITY_HEADER";
    public static final String API_VERSION = "2019-08-01";
    public static final Duration DEFAULT_RENEWAL_MARGIN = Duration.ofMinutes(5);
    private static final Logger LOG = Logger.getLogger(ManagedIdentityTokens.class.getName());

    /**
     * A token, when it expires and when it is renewed ({@link #DEFAULT_RENEWAL_MARGIN} before it expires; a token
     * that lives less than twice that, halfway); {@link #toString()} never shows the token.
     */
    public record Token(String value, Instant expiresOn, Instant renewAt) {
        @Override
        public String toString() {
            return "Token[expiresOn=" + expiresOn + ", renewAt=" + renewAt + ", value=redacted]";
        }
    }

    /** The token of one resource, and the lock its fetches take turns on. */
    private static final class Slot {
        final ReentrantLock fetching = new ReentrantLock();
        volatile Token token;
    }

    private final URI identityEndpoint;
    private final String identityHeader;
    private final String clientId;
    private final String identityName;
    private final HttpClient http;
    private final Clock clock;
    private final Duration timeout;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();

    /**
     * @param identityEndpoint the platform's {@code IDENTITY_ENDPOINT}
     * @param identityHeader   the platform's {@code IDENTITY_HEADER}, sent as {@code X-IDENTITY-HEADER}
     * @param clientId         a user-assigned identity's client id; null or blank: the system-assigned identity
     * @param timeout          how long one fetch may wait for the endpoint's answer
     */
    public ManagedIdentityTokens(URI identityEndpoint, String identityHeader, String clientId, HttpClient http,
                                 Clock clock, Duration timeout) {
        this.identityEndpoint = Objects.requireNonNull(identityEndpoint, "identityEndpoint");
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
     * {@value #IDENTITY_HEADER} set), with the client id of {@link Setting#MANAGED_IDENTITY_CLIENT_ID}.
     */
    public static Optional<ManagedIdentityTokens> fromSettings(AppSettings settings, Duration timeout) {
        Optional<String> endpoint = settings.find(IDENTITY_ENDPOINT);
        Optional<String> header = settings.find(IDENTITY_HEADER);
        if (endpoint.isEmpty() || header.isEmpty()) {
            return Optional.empty();
        }
        // HTTP/1.1: the endpoint is plain HTTP on the host, where an h2c upgrade only costs a round trip.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .build();
        return Optional.of(new ManagedIdentityTokens(URI.create(endpoint.get()), header.get(),
                settings.get(Setting.MANAGED_IDENTITY_CLIENT_ID), http, Clock.systemUTC(), timeout));
    }

    /** Which identity this is, as messages name it: {@code the user-assigned managed identity <client id>} or the system-assigned one. */
    public String identityName() {
        return identityName;
    }

    /** A token for {@code resource} (e.g. {@code https://iothubs.azure.net}), fetched if none lasts beyond the renewal margin. */
    public Token token(String resource) {
        Objects.requireNonNull(resource, "resource");
        Slot slot = slots.computeIfAbsent(resource, r -> new Slot());
        Token current = slot.token;
        if (current != null && clock.instant().isBefore(current.renewAt())) {
            return current;
        }
        slot.fetching.lock();
        try {
            current = slot.token;
            Instant now = clock.instant();
            if (current != null && now.isBefore(current.renewAt())) {
                return current; // another thread fetched it while this one waited
            }
            try {
                Token fresh = fetch(resource, now);
                slot.token = fresh;
                return fresh;
            } catch (ManagedIdentityException e) {
                if (current != null && now.isBefore(current.expiresOn())) {
                    LOG.warning("Could not renew the token for " + resource + " of " + identityName + ", using the"
                            + " current one until " + current.expiresOn() + ": " + e.reason());
                    return current;
                }
                throw e;
            }
        } finally {
            slot.fetching.unlock();
        }
    }

    /** Renewed {@link #DEFAULT_RENEWAL_MARGIN} before expiry; a token that lives less than twice that, halfway. */
    private static Instant renewAt(Instant now, Instant expiresOn) {
        Instant halfway = now.plus(Duration.between(now, expiresOn).dividedBy(2));
        Instant beforeExpiry = expiresOn.minus(DEFAULT_RENEWAL_MARGIN);
        return beforeExpiry.isAfter(halfway) ? beforeExpiry : halfway;
    }

    private Token fetch(String resource, Instant now) {
        String query = "resource=" + encode(resource) + "&api-version=" + API_VERSION
                + (clientId != null ? "&client_id=" + encode(clientId) : "");
        String endpoint = identityEndpoint.toString();
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + (endpoint.contains("?") ? "&" : "?") + query))
                .timeout(timeout)
                .header("X-IDENTITY-HEADER", identityHeader)
                .header("Accept", "application/json")
                .GET().build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw failure(resource, "the identity endpoint did not answer within " + timeout.toMillis() + " ms.",
                    false, e);
        } catch (IOException e) {
            throw failure(resource, "the identity endpoint could not be reached (" + e.getClass().getSimpleName()
                    + ").", false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(resource, "interrupted.", false, e);
        }
        int status = response.statusCode();
        if (status != 200) {
            boolean refused = status >= 400 && status < 500 && status != 408 && status != 429;
            throw failure(resource, "the identity endpoint answered " + status + ": " + errorText(response.body()),
                    refused, null);
        }
        Token fresh = read(response.body(), now);
        if (fresh == null) {
            throw failure(resource, "the identity endpoint answered 200 without an access_token and a future"
                    + " expires_on.", false, null);
        }
        LOG.info("Got a token for " + resource + " from " + identityName + ", valid until " + fresh.expiresOn() + ".");
        return fresh;
    }

    private ManagedIdentityException failure(String resource, String reason, boolean refused, Throwable cause) {
        return new ManagedIdentityException(identityName, resource, reason, refused, cause);
    }

    /** The token in a 200 answer, or null if there is none or it has already expired. */
    private static Token read(byte[] body, Instant now) {
        JsonNode answer;
        try {
            answer = Json.mapper().readTree(body);
        } catch (IOException e) {
            return null;
        }
        if (answer == null || !answer.path("access_token").isTextual() || answer.path("access_token").asText().isBlank()) {
            return null;
        }
        Instant expiresOn = expiresOn(answer, now);
        if (expiresOn == null || !expiresOn.isAfter(now)) {
            return null;
        }
        return new Token(answer.get("access_token").asText(), expiresOn, renewAt(now, expiresOn));
    }

    /** {@code expires_on} in Unix seconds (a number, or digits in a string); else {@code expires_in} from now. */
    private static Instant expiresOn(JsonNode answer, Instant now) {
        Long seconds = seconds(answer.get("expires_on"));
        if (seconds != null) {
            return Instant.ofEpochSecond(seconds);
        }
        Long lifetime = seconds(answer.get("expires_in"));
        return lifetime == null ? null : now.plusSeconds(lifetime);
    }

    private static Long seconds(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isNumber() && node.canConvertToExactIntegral()) {
            return node.asLong();
        }
        if (node.isTextual() && node.asText().strip().matches("\\d{1,12}")) {
            return Long.parseLong(node.asText().strip());
        }
        return null;
    }

    /** What an error answer says ({@code message}, {@code error_description} or {@code error}), bounded and without the header. */
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
        return RemoteText.sanitize(text.replace(identityHeader, "(identity header redacted)"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
