package dev.opendps.adapters.iothub;

import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.auth.SharedAccessSignature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hub SAS tokens from the linked hub's connection string (dps-protocol.md §7): {@code sr} is the hub host
 * name, signed with the policy key over {@code sr + "\n" + se}, {@code skn} the policy name. A token lives
 * {@link #DEFAULT_LIFETIME} and is reused until {@link #DEFAULT_RENEWAL_MARGIN} before it expires, so a
 * busy hub costs one HMAC an hour rather than one per call.
 */
public final class ConnectionStringCredentials implements HubCredentials {
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);
    public static final Duration DEFAULT_RENEWAL_MARGIN = Duration.ofMinutes(5);

    private final Clock clock;
    private final Duration lifetime;
    private final Duration renewalMargin;
    /** Keyed by the whole connection string, so a rotated key gets a new token at once. */
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    public ConnectionStringCredentials() {
        this(Clock.systemUTC(), DEFAULT_LIFETIME, DEFAULT_RENEWAL_MARGIN);
    }

    public ConnectionStringCredentials(Clock clock, Duration lifetime, Duration renewalMargin) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
        this.renewalMargin = Objects.requireNonNull(renewalMargin, "renewalMargin");
        if (renewalMargin.compareTo(lifetime) >= 0) {
            throw new IllegalArgumentException("The renewal margin must be shorter than the token lifetime.");
        }
    }

    /**
     * @throws IllegalArgumentException if the hub has no connection string, one for another hub, or a key
     *                                  that is not base64
     */
    @Override
    public String authorization(LinkedHub hub) {
        Objects.requireNonNull(hub, "hub");
        String connectionString = hub.connectionString();
        Instant now = clock.instant();
        Token cached = connectionString == null ? null : tokens.get(connectionString);
        if (cached != null && now.isBefore(cached.renewAt())) {
            return cached.value();
        }
        Token fresh = sign(hub, connectionString, now);
        tokens.put(connectionString, fresh);
        return fresh.value();
    }

    private Token sign(LinkedHub hub, String connectionString, Instant now) {
        IotHubConnectionString parsed = IotHubConnectionString.parse(connectionString);
        if (!parsed.hostName().equalsIgnoreCase(hub.hostName())) {
            throw new IllegalArgumentException("The connection string of hub " + hub.hostName()
                    + " is for another hub (" + parsed.hostName() + ").");
        }
        byte[] key;
        try {
            key = SharedAccessSignature.decodeKey(parsed.sharedAccessKey());
        } catch (ProvisioningException e) {
            throw new IllegalArgumentException("The SharedAccessKey of hub " + hub.hostName() + " is not base64.");
        }
        // Whole seconds: se is in seconds, and a token must not outlive what it says.
        Instant expiry = now.plus(lifetime).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String value = SharedAccessSignature.sign(parsed.hostName().toLowerCase(Locale.ROOT), key, expiry,
                parsed.sharedAccessKeyName());
        return new Token(value, expiry.minus(renewalMargin));
    }

    private record Token(String value, Instant renewAt) {
        @Override
        public String toString() {
            return "Token[renewAt=" + renewAt + ", value=redacted]";
        }
    }
}
