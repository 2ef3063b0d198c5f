package dev.opendps.domain.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link KeyEncryptionKey} holder promises (the local key file, Key Vault); a holder's test supplies
 * fresh instances on one shared key. Data keys are 32 random bytes, as {@code SecretEnvelope} makes them.
 */
public abstract class KeyEncryptionKeyContract {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A holder on the key under test; calls on one test return instances sharing one key (two processes). */
    protected abstract KeyEncryptionKey open() throws Exception;

    /** A version name of this holder's form that its key does not have. */
    protected abstract String unknownVersion(KeyEncryptionKey kek);

    /** How long another instance may take to see a rotation (its refresh interval, and some). */
    protected abstract Duration propagation();

    private static byte[] dataKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    @Test
    void aDataKeyUnwrapsToWhatWasWrappedUnderTheCurrentVersion() throws Exception {
        KeyEncryptionKey kek = open();
        byte[] key = dataKey();

        KeyEncryptionKey.WrappedKey wrapped = kek.wrap(key);

        assertThat(wrapped.version()).isEqualTo(kek.currentVersion());
        assertThat(wrapped.wrapped()).isNotEqualTo(key).hasSizeGreaterThanOrEqualTo(key.length);
        assertThat(kek.unwrap(wrapped.version(), wrapped.wrapped())).isEqualTo(key);
    }

    @Test
    void anotherInstanceOnTheSameKeyUnwrapsIt() throws Exception {
        byte[] key = dataKey();
        KeyEncryptionKey.WrappedKey wrapped = open().wrap(key);

        assertThat(open().unwrap(wrapped.version(), wrapped.wrapped())).isEqualTo(key);
    }

    @Test
    void anUnknownVersionIsRefused() throws Exception {
        KeyEncryptionKey kek = open();
        KeyEncryptionKey.WrappedKey wrapped = kek.wrap(dataKey());

        assertThatThrownBy(() -> kek.unwrap(unknownVersion(kek), wrapped.wrapped()))
                .isInstanceOf(SecretProtectionException.class);
        assertThatThrownBy(() -> kek.unwrap("other-holder:1", wrapped.wrapped()))
                .isInstanceOf(SecretProtectionException.class);
    }

    @Test
    void aTamperedWrappedKeyIsRefused() throws Exception {
        KeyEncryptionKey kek = open();
        byte[] tampered = kek.wrap(dataKey()).wrapped();
        tampered[tampered.length / 2] ^= 0x01;

        assertThatThrownBy(() -> kek.unwrap(kek.currentVersion(), tampered))
                .isInstanceOf(SecretProtectionException.class)
                .hasMessageNotContaining(java.util.Base64.getEncoder().encodeToString(tampered));
    }

    @Test
    void rotatingKeepsEveryOlderVersionReadable() throws Exception {
        KeyEncryptionKey kek = open();
        byte[] first = dataKey();
        KeyEncryptionKey.WrappedKey underFirst = kek.wrap(first);

        String rotated = kek.rotate();

        assertThat(rotated).isNotEqualTo(underFirst.version());
        assertThat(kek.currentVersion()).isEqualTo(rotated);
        byte[] second = dataKey();
        KeyEncryptionKey.WrappedKey underSecond = kek.wrap(second);
        assertThat(underSecond.version()).isEqualTo(rotated);
        assertThat(kek.unwrap(underFirst.version(), underFirst.wrapped())).isEqualTo(first);
        assertThat(kek.unwrap(underSecond.version(), underSecond.wrapped())).isEqualTo(second);
        // A key wrapped under one version does not open as if it were wrapped under another.
        assertThatThrownBy(() -> kek.unwrap(underSecond.version(), underFirst.wrapped()))
                .isInstanceOf(SecretProtectionException.class);
    }

    @Test
    void anotherInstanceFollowsARotation() throws Exception {
        KeyEncryptionKey running = open();
        String before = running.currentVersion();
        KeyEncryptionKey rotating = open();

        String rotated = rotating.rotate();
        byte[] key = dataKey();
        KeyEncryptionKey.WrappedKey underNew = rotating.wrap(key);

        // What the rotating instance wrapped opens at once in the running one, which moves to the new version.
        assertThat(running.unwrap(underNew.version(), underNew.wrapped())).isEqualTo(key);
        long deadline = System.nanoTime() + propagation().toNanos();
        while (running.currentVersion().equals(before) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(running.currentVersion()).isEqualTo(rotated);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void manyThreadsWrapAndUnwrapAcrossARotation() throws Exception {
        KeyEncryptionKey kek = open();
        int threads = 6;
        int rounds = 15;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch halfway = new CountDownLatch(threads);
        List<Future<List<String>>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    List<String> versions = new ArrayList<>();
                    for (int i = 0; i < rounds; i++) {
                        if (i == rounds / 2) {
                            halfway.countDown();
                        }
                        byte[] key = dataKey();
                        KeyEncryptionKey.WrappedKey wrapped = kek.wrap(key);
                        assertThat(kek.unwrap(wrapped.version(), wrapped.wrapped())).isEqualTo(key);
                        versions.add(wrapped.version());
                    }
                    return versions;
                }));
            }
            halfway.await(30, TimeUnit.SECONDS);
            String rotated = kek.rotate();
            List<String> all = new ArrayList<>();
            for (Future<List<String>> result : results) {
                all.addAll(result.get(60, TimeUnit.SECONDS));
            }
            assertThat(all).hasSize(threads * rounds);
            assertThat(kek.currentVersion()).isEqualTo(rotated);
        } finally {
            pool.shutdownNow();
        }
    }
}
