package dev.opendps.adapters.cosmos;

import dev.opendps.domain.RegistrationOperation;
import dev.opendps.domain.port.RegistrationOperationStore;
import dev.opendps.wire.StorageCodecs;
import java.time.Instant;

/** Register operations in Cosmos DB, with their expiry on the item for the clean-up. */
public final class CosmosRegistrationOperationStore extends CosmosDocumentStore<RegistrationOperation>
        implements RegistrationOperationStore {

    public CosmosRegistrationOperationStore(CosmosDatabase database) {
        super(database, CosmosRecordKind.REGISTRATION_OPERATION, StorageCodecs.registrationOperations(),
                operation -> null, RegistrationOperation::expiresAtUtc);
    }

    @Override
    public int deleteExpired(Instant now) {
        return deleteExpiredBefore(now);
    }
}
