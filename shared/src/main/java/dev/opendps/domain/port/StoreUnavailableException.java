package dev.opendps.domain.port;

import java.time.Duration;
import java.util.Optional;

/**
 * The store did not answer in time or refused for load (throttled, unavailable), even after the retries its
 * adapter makes. Nothing was written by the failed call. The API answers DPS's 429 or 503 with a
 * {@code retry-after} (dps-protocol.md §1.6), never a 500: the request was fine, the moment was not.
 */
public class StoreUnavailableException extends StoreException {
    private final boolean throttled;
    private final Duration retryAfter;

    /** Unavailable (not throttled), with no hint of when to try again. */
    public StoreUnavailableException(String message) {
        this(message, false, null);
    }

    /**
     * @param throttled  the store refused for load (Cosmos DB's 429) rather than failing or timing out
     * @param retryAfter when the store said to try again; null if it did not say
     */
    public StoreUnavailableException(String message, boolean throttled, Duration retryAfter) {
        super(message);
        this.throttled = throttled;
        this.retryAfter = retryAfter == null || retryAfter.isNegative() || retryAfter.isZero() ? null : retryAfter;
    }

    /** Whether the store refused for load (rate limited) rather than being unavailable or too slow. */
    public boolean throttled() {
        return throttled;
    }

    /** When the store said to try again, if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
