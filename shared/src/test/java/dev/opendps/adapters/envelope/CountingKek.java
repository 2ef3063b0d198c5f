package dev.opendps.adapters.envelope;

import dev.opendps.domain.port.KeyEncryptionKey;
import java.util.concurrent.atomic.AtomicInteger;

/** A KEK that counts its calls, so tests can see when the envelope goes to it. */
final class CountingKek implements KeyEncryptionKey {
    final KeyEncryptionKey kek;
    final AtomicInteger wraps = new AtomicInteger();
    final AtomicInteger unwraps = new AtomicInteger();

    CountingKek(KeyEncryptionKey kek) {
        this.kek = kek;
    }

    @Override
    public String currentVersion() {
        return kek.currentVersion();
    }

    @Override
    public WrappedKey wrap(byte[] dataKey) {
        wraps.incrementAndGet();
        return kek.wrap(dataKey);
    }

    @Override
    public byte[] unwrap(String version, byte[] wrappedKey) {
        unwraps.incrementAndGet();
        return kek.unwrap(version, wrappedKey);
    }
}
