package dev.opendps.domain.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.domain.TpmChallenge;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What every {@link TpmChallengeStore} promises; a backend's test supplies the store. */
public abstract class TpmChallengeStoreContract extends VersionedStoreContract<TpmChallenge, TpmChallengeStore> {

    /** A fixed "now" long past, so the far-future challenges of other tests never count as expired. */
    private static final Instant NOW = Instant.parse("2001-06-15T12:00:00.500Z");
    /** The generic tests count in the expiry: seconds after this instant. */
    private static final Instant COUNTER_ORIGIN = Instant.parse("2090-01-01T00:00:00Z");

    @Override
    protected TpmChallenge newRecord(String id) {
        return Records.tpmChallenge(id, COUNTER_ORIGIN);
    }

    @Override
    protected TpmChallenge mutate(TpmChallenge challenge) {
        return new TpmChallenge(challenge.registrationId(), challenge.storageRootKey(),
                "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", challenge.expiresAtUtc(), challenge.version());
    }

    @Override
    protected int counter(TpmChallenge record) {
        return (int) Duration.between(COUNTER_ORIGIN, record.expiresAtUtc()).toSeconds();
    }

    @Override
    protected TpmChallenge withCounter(TpmChallenge record, int value) {
        return new TpmChallenge(record.registrationId(), record.storageRootKey(), record.key(),
                COUNTER_ORIGIN.plusSeconds(value), record.version());
    }

    @Test
    void keepsTheKeyAndStorageRootKeyAsIssued() {
        TpmChallenge issued = Records.tpmChallenge("device-with-challenge");
        store.create(scope, issued);

        TpmChallenge read = store.find(scope, "DEVICE-with-challenge").orElseThrow();

        assertThat(read.key()).isEqualTo(issued.key());
        assertThat(read.storageRootKey()).isEqualTo(issued.storageRootKey());
        assertThat(read.expiresAtUtc()).isEqualTo(issued.expiresAtUtc());
        assertThat(read.toString()).doesNotContain(issued.key());
    }

    @Test
    void deleteExpiredRemovesOnlyChallengesThatExpiredBeforeNowInEveryScope() {
        store.create(scope, Records.tpmChallenge("expired", NOW.minusSeconds(1)));
        store.create(otherScope, Records.tpmChallenge("expired-elsewhere", NOW.minusMillis(1)));
        store.create(scope, Records.tpmChallenge("expires-now", NOW));
        store.create(scope, Records.tpmChallenge("expires-soon", NOW.plusSeconds(60)));

        assertThat(store.deleteExpired(NOW)).isEqualTo(2);
        assertThat(ids(walk(scope, 0))).containsExactlyInAnyOrder("expires-now", "expires-soon");
        assertThat(walk(otherScope, 0)).isEmpty();
    }
}
