package dev.opendps.domain.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.domain.RegistrationOperation;
import dev.opendps.domain.RegistrationStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What every {@link RegistrationOperationStore} promises; a backend's test supplies the store. */
public abstract class RegistrationOperationStoreContract
        extends VersionedStoreContract<RegistrationOperation, RegistrationOperationStore> {

    /** A fixed "now" long past, so the far-future operations of other tests never count as expired. */
    private static final Instant NOW = Instant.parse("2001-06-15T12:00:00.500Z");

    @Override
    protected RegistrationOperation newRecord(String id) {
        return Records.registrationOperation(id);
    }

    @Override
    protected RegistrationOperation mutate(RegistrationOperation operation) {
        return Records.withState(operation, RegistrationStatus.FAILED, operation.registrationState());
    }

    @Override
    protected int counter(RegistrationOperation record) {
        return Records.payloadCounter(record.registrationState());
    }

    @Override
    protected RegistrationOperation withCounter(RegistrationOperation record, int value) {
        return Records.withState(record, record.status(),
                Records.withPayloadCounter(record.registrationState(), value));
    }

    private void createExpiringAt(String idScope, String operationId, Instant expiresAt) {
        store.create(idScope, Records.registrationOperation(operationId, expiresAt));
    }

    @Test
    void deleteExpiredRemovesOnlyOperationsThatExpiredBeforeNowInEveryScope() {
        createExpiringAt(scope, "expired-long-ago", NOW.minus(Duration.ofDays(3)));
        createExpiringAt(scope, "expired-just-now", NOW.minusNanos(100));
        createExpiringAt(otherScope, "expired-elsewhere", NOW.minusSeconds(1));
        createExpiringAt(scope, "expires-now", NOW);
        createExpiringAt(scope, "expires-soon", NOW.plusMillis(1));
        createExpiringAt(scope, "never-expires", null);

        int deleted = store.deleteExpired(NOW);

        assertThat(deleted).isEqualTo(3);
        assertThat(ids(walk(scope, 0))).containsExactlyInAnyOrder("expires-now", "expires-soon", "never-expires");
        assertThat(walk(otherScope, 0)).isEmpty();
    }

    @Test
    void deleteExpiredWithNothingExpiredRemovesNothing() {
        createExpiringAt(scope, "expires-soon", NOW.plusSeconds(30));
        createExpiringAt(scope, "never-expires", null);

        assertThat(store.deleteExpired(NOW)).isZero();
        assertThat(walk(scope, 0)).hasSize(2);
    }

    @Test
    void replacingTheExpiryOfAnOperationMovesItsDeadline() {
        createExpiringAt(scope, "extended", NOW.minusSeconds(5));
        RegistrationOperation stored = store.find(scope, "extended").orElseThrow();
        RegistrationOperation extended = new RegistrationOperation(stored.operationId(), stored.registrationId(),
                stored.status(), stored.registrationState(), NOW.plusSeconds(60), stored.version());

        store.replace(scope, extended, stored.etag());

        assertThat(store.deleteExpired(NOW)).isZero();
        assertThat(store.find(scope, "extended")).isPresent();
    }
}
