package dev.opendps.adapters.sqlite;

import dev.opendps.domain.TpmChallenge;
import dev.opendps.domain.port.TpmChallengeStore;
import dev.opendps.wire.StorageCodecs;
import java.time.Instant;

/** TPM challenges in the embedded store, indexed by expiry for the clean-up. */
public final class SqliteTpmChallengeStore extends SqliteDocumentStore<TpmChallenge> implements TpmChallengeStore {

    public SqliteTpmChallengeStore(SqliteDatabase database) {
        super(database, DocumentKind.TPM_CHALLENGE, StorageCodecs.tpmChallenges(), challenge -> null,
                TpmChallenge::expiresAtUtc);
    }

    @Override
    public int deleteExpired(Instant now) {
        return deleteExpiredBefore(now);
    }
}
