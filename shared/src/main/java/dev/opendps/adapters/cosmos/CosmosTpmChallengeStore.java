package dev.opendps.adapters.cosmos;

import dev.opendps.domain.TpmChallenge;
import dev.opendps.domain.port.TpmChallengeStore;
import dev.opendps.wire.StorageCodecs;
import java.time.Instant;

/** Outstanding TPM challenges in Cosmos DB, with their expiry on the item for the clean-up. */
public final class CosmosTpmChallengeStore extends CosmosDocumentStore<TpmChallenge> implements TpmChallengeStore {

    public CosmosTpmChallengeStore(CosmosDatabase database) {
        super(database, CosmosRecordKind.TPM_CHALLENGE, StorageCodecs.tpmChallenges(), challenge -> null,
                TpmChallenge::expiresAtUtc);
    }

    @Override
    public int deleteExpired(Instant now) {
        return deleteExpiredBefore(now);
    }
}
