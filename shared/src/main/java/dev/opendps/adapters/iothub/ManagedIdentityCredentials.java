package dev.opendps.adapters.iothub;

import dev.opendps.adapters.identity.ManagedIdentityException;
import dev.opendps.adapters.identity.ManagedIdentityTokens;
import dev.opendps.config.AppSettings;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.port.HubAccessDeniedException;
import dev.opendps.domain.port.HubUnavailableException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Microsoft Entra tokens for IoT Hub ({@code Authorization: Bearer …}, audience {@value #RESOURCE}) of the
 * function app's managed identity ({@link ManagedIdentityTokens}, which fetches, caches and renews them). One
 * token serves every hub: the audience is IoT Hub, not one hub. A failed fetch is a
 * {@link HubAccessDeniedException} (the identity endpoint refused: no such identity, a wrong header) or a
 * {@link HubUnavailableException} (unreachable, slow, failing, or an answer without a token), naming the hub and
 * what the endpoint answered, never the token or the identity header.
 */
public final class ManagedIdentityCredentials implements HubCredentials {
    /** The environment variables the Functions platform sets when the app has a managed identity. */
    public static final String IDENTITY_ENDPOINT = ManagedIdentityTokens.IDENTITY_ENDPOINT;
    public static final String IDENTITY_HEADER = ManagedIdentityTokens.IDENTITY_HEADER;
    public static final String RESOURCE = "https://iothubs.azure.net";

    private final ManagedIdentityTokens tokens;

    public ManagedIdentityCredentials(ManagedIdentityTokens tokens) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    /** As {@link ManagedIdentityTokens#ManagedIdentityTokens}: a token source of its own. */
    public ManagedIdentityCredentials(URI identityEndpoint, String identityHeader, String clientId, HttpClient http,
                                      Clock clock, Duration timeout) {
        this(new ManagedIdentityTokens(identityEndpoint, identityHeader, clientId, http, clock, timeout));
    }

    /** The app's managed identity if the platform gave it one ({@link ManagedIdentityTokens#fromSettings}). */
    public static Optional<ManagedIdentityCredentials> fromSettings(AppSettings settings, Duration timeout) {
        return ManagedIdentityTokens.fromSettings(settings, timeout).map(ManagedIdentityCredentials::new);
    }

    /** {@code Bearer <token>}, fetched if there is none that lasts beyond the renewal margin. */
    @Override
    public String authorization(LinkedHub hub) {
        Objects.requireNonNull(hub, "hub");
        try {
            return "Bearer " + tokens.token(RESOURCE).value();
        } catch (ManagedIdentityException e) {
            String message = "DPS could not get a token for IoT hub " + hub.hostName() + " from " + e.identityName()
                    + ": " + e.reason();
            if (e.refused()) {
                throw new HubAccessDeniedException(hub.hostName(), message);
            }
            throw new HubUnavailableException(hub.hostName(), message, e);
        }
    }
}
