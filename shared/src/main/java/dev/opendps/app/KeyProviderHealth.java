package dev.opendps.app;

import dev.opendps.api.DiagnosticsApi;
import dev.opendps.domain.port.KeyEncryptionKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The health of the key-encryption key: wraps a random key with the current version and unwraps it again,
 * which is what sealing and opening a secret need of it. The outcome, good or bad, is kept for
 * {@link #DEFAULT_INTERVAL}, so that frequent probes do not turn into calls to Key Vault. It reports which
 * holder it checked (a local key file, a Key Vault key identifier), never key material.
 */
final class KeyProviderHealth implements DiagnosticsApi.HealthCheck {
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    private final KeyEncryptionKey kek;
    private final Clock clock;
    private final Duration interval;
    private final SecureRandom random = new SecureRandom();
    private Outcome last;

    KeyProviderHealth(KeyEncryptionKey kek, Clock clock, Duration interval) {
        this.kek = Objects.requireNonNull(kek, "kek");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.interval = Objects.requireNonNull(interval, "interval");
    }

    @Override
    public synchronized String check() {
        Instant now = clock.instant();
        if (last == null || !now.isBefore(last.until())) {
            last = probe(now);
        }
        if (last.failure() != null) {
            throw last.failure();
        }
        return last.result();
    }

    private Outcome probe(Instant now) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        try {
            KeyEncryptionKey.WrappedKey wrapped = kek.wrap(key);
            byte[] unwrapped = kek.unwrap(wrapped.version(), wrapped.wrapped());
            if (!Arrays.equals(key, unwrapped)) {
                return new Outcome(null, new IllegalStateException("The key-encryption key " + wrapped.version()
                        + " unwrapped a different key than it wrapped."), now.plus(interval));
            }
            Arrays.fill(unwrapped, (byte) 0);
            return new Outcome("ok: " + kek.description(), null, now.plus(interval));
        } catch (RuntimeException e) {
            return new Outcome(null, e, now.plus(interval));
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    private record Outcome(String result, RuntimeException failure, Instant until) {
    }
}
