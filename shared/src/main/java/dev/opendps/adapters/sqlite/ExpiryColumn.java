package dev.opendps.adapters.sqlite;

import java.time.Instant;

/**
 * Instants in the {@code expires_at} column: nanoseconds since the epoch, so "expired before now" compares
 * exactly. Instants outside the years 1677 to 2262 saturate, which keeps their order.
 */
final class ExpiryColumn {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private ExpiryColumn() {
    }

    static long of(Instant instant) {
        try {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), NANOS_PER_SECOND), instant.getNano());
        } catch (ArithmeticException e) {
            return instant.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
