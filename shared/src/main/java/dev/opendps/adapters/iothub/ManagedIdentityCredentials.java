package dev.opendps.adapters.iothub;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.config.AppSettings;
import dev.opendps.config.Setting;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.port.HubAccessDeniedException;
import dev.opendps.domain.port.HubRegistryException;
import dev.opendps.domain.port.HubUnavailableException;
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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * Microsoft Entra tokens for IoT Hub ({@code Authorization: Bearer …}, audience {@value #RESOURCE}) of the
 * function app's managed identity, from the identity endpoint that App Service and Azure Functions give every
 * app with an identity: {@code GET {IDENTITY_ENDPOINT}?resource=…&api-version=2019-08-01[&client_id=…]} with
 * the header {@code X-IDENTITY-HEADER: {IDENTITY_HEADER}}, answered with {@code access_token} and
 * {@code expires_on} (Unix seconds, a string or a number).
 *
 * <p>One token serves every hub (the audience is IoT Hub, not one hub) and is reused until
 * {@link #DEFAULT_RENEWAL_MARGIN} before it expires; one thread fetches while the others wait for it. If a
 * renewal fails while the old token is still valid, the old token is used and the next call tries again.
 * A failed fetch is a {@link HubAccessDeniedException} (the endpoint refused: no such identity, a wrong
 * header) or a {@link HubUnavailableException} (unreachable, slow, failing, or an answer without a token);
 * messages name the endpoint's answer, never the token or the identity header.
 */
public final class ManagedIdentityCredentials implements HubCredentials {
    /** The environment variables the Functions platform sets when the app has a managed identity. */
    public static final String IDENTITY_ENDPOINT = "IDENTITY_ENDPOINT";
    public static final String IDENTITY_HEADER = "IDENTITY_HEADER";
    public static final String RESOURCE = "https://iothubs.azure.net";
    public static final String API_VERSION = "2019-08-01";
    public static final Duration DEFAULT_RENEWAL_MARGIN = Duration.ofMinutes(5);
    private static final Logger LOG = Logger.getLogger(ManagedIdentityCredentials.class.getName());

    private final URI tokenUri;
    private final String identityHeader;
    private final String identityName;
    private final HttpClient http;
    private final Clock clock;
    private final Duration timeout;
    private final Duration renewalMargin;
    private final ReentrantLock fetching = new ReentrantLock();
    private volatile Token token;

    /**
     * @param identityEndpoint the platform's {@code IDENTITY_ENDPOINT}
     * @param identityHeader   the platform's {@code IDENTITY_HEADER}, sent as {@code X-IDENTITY-HEADER}
     * @param clientId         a user-assigned identity's client id; null or blank: the system-assigned identity
     * @param timeout          how long one fetch may wait for the endpoint's answer
     */
    public ManagedIdentityCredentials(URI identityEndpoint, String identityHeader, String clientId, HttpClient http,
                                      Clock clock, Duration timeout) {
        Objects.requireNonNull(identityEndpoint, "identityEndpoint");
        this.identityHeader = Objects.requireNonNull(identityHeader, "identityHeader");
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.renewalMargin = DEFAULT_RENEWAL_MARGIN;
        boolean userAssigned = clientId != null && !clientId.isBlank();
        this.identityName = userAssigned ? "the user-assigned managed identity " + clientId.strip()
                : "the system-assigned managed identity";
        String query = "resource=" + encode(RESOURCE) + "&api-version=" + API_VERSION
                + (userAssigned ? "&client_id=" + encode(clientId.strip()) : "");
        String endpoint = identityEndpoint.toString();
        this.tokenUri = URI.create(endpoint + (endpoint.contains("?") ? "&" : "?") + query);
    }

    /**
     * The app's managed identity if the platform gave it one ({@value #IDENTITY_ENDPOINT} and
     * {@value #IDENTITY_HEADER} set), with the client id of {@link Setting#HUB_MANAGED_IDENTITY_CLIENT_ID}.
     */
    public static Optional<ManagedIdentityCredentials> fromSettings(AppSettings settings, Duration timeout) {
        Optional<String> endpoint = settings.find(IDENTITY_ENDPOINT);
        Optional<String> header = settings.find(IDENTITY_HEADER);
        if (endpoint.isEmpty() || header.isEmpty()) {
            return Optional.empty();
        }
        // HTTP/1.1: the endpoint is plain HTTP on the host, where an h2c upgrade only costs a round trip.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .build();
        return Optional.of(new ManagedIdentityCredentials(URI.create(endpoint.get()), header.get(),
                settings.get(Setting.HUB_MANAGED_IDENTITY_CLIENT_ID), http, Clock.systemUTC(), timeout));
    }

    /** {@code Bearer <token>}, fetched if there is none that lasts beyond the renewal margin. */
    @Override
    public String authorization(LinkedHub hub) {
        Objects.requireNonNull(hub, "hub");
        Token current = token;
        if (current != null && clock.instant().isBefore(current.renewAt())) {
            return current.header();
        }
        fetching.lock();
        try {
            current = token;
            Instant now = clock.instant();
            if (current != null && now.isBefore(current.renewAt())) {
                return current.header(); // another thread fetched it while this one waited
            }
            try {
                Token fresh = fetch(hub.hostName(), now);
                token = fresh;
                return fresh.header();
            } catch (HubRegistryException e) {
                if (current != null && now.isBefore(current.expiresOn())) {
                    LOG.warning("Could not renew the IoT Hub token of " + identityName + ", using the current one"
                            + " until " + current.expiresOn() + ": " + e.getMessage());
                    return current.header();
                }
                throw e;
            }
        } finally {
            fetching.unlock();
        }
    }

    private Token fetch(String hubHostName, Instant now) {
        HttpRequest request = HttpRequest.newBuilder(tokenUri).timeout(timeout)
                .header("X-IDENTITY-HEADER", identityHeader)
                .header("Accept", "application/json")
                .GET().build();
        String asking = "DPS could not get a token for IoT hub " + hubHostName + " from " + identityName + ": ";
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new HubUnavailableException(hubHostName, asking + "the identity endpoint did not answer within "
                    + timeout.toMillis() + " ms.", e);
        } catch (IOException e) {
            throw new HubUnavailableException(hubHostName, asking + "the identity endpoint could not be reached ("
                    + e.getClass().getSimpleName() + ").", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubUnavailableException(hubHostName, asking + "interrupted.", e);
        }
        int status = response.statusCode();
        if (status != 200) {
            String message = asking + "the identity endpoint answered " + status + ": " + errorText(response.body());
            if (status >= 400 && status < 500 && status != 408 && status != 429) {
                throw new HubAccessDeniedException(hubHostName, message);
            }
            throw new HubUnavailableException(hubHostName, message);
        }
        Token fresh = read(response.body(), now);
        if (fresh == null) {
            throw new HubUnavailableException(hubHostName, asking + "the identity endpoint answered 200 without"
                    + " an access_token and a future expires_on.");
        }
        LOG.info("Got an IoT Hub token from " + identityName + ", valid until " + fresh.expiresOn() + ".");
        return fresh;
    }

    /** The token in a 200 answer, or null if there is none or it has already expired. */
    private Token read(byte[] body, Instant now) {
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
        // A token that lives less than twice the margin is renewed halfway, not at every call.
        Instant renewAt = expiresOn.minus(renewalMargin);
        if (!renewAt.isAfter(now.plus(Duration.between(now, expiresOn).dividedBy(2)))) {
            renewAt = now.plus(Duration.between(now, expiresOn).dividedBy(2));
        }
        return new Token("Bearer " + answer.get("access_token").asText(), expiresOn, renewAt);
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
        return HubDocuments.sanitize(text.replace(identityHeader, "(identity header redacted)"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private record Token(String header, Instant expiresOn, Instant renewAt) {
        @Override
        public String toString() {
            return "Token[expiresOn=" + expiresOn + ", value=redacted]";
        }
    }
}
