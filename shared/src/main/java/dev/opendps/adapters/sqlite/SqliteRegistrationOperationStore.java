package dev.opendps.adapters.sqlite;

import dev.opendps.adapters.DocumentCodec;
import dev.opendps.domain.RegistrationOperation;
import dev.opendps.domain.port.RegistrationOperationStore;
import dev.opendps.wire.StorageCodecs;
import java.time.Instant;

/** Register operations in the embedded store, indexed by expiry for the clean-up. */
public final class SqliteRegistrationOperationStore extends SqliteDocumentStore<RegistrationOperation>
        implements RegistrationOperationStore {

    public SqliteRegistrationOperationStore(SqliteDatabase database) {
        this(database, StorageCodecs.registrationOperations());
    }

    SqliteRegistrationOperationStore(SqliteDatabase database, DocumentCodec<RegistrationOperation> codec) {
        super(database, DocumentKind.REGISTRATION_OPERATION, codec, operation -> null,
                RegistrationOperation::expiresAtUtc);
    }

    @Override
    public int deleteExpired(Instant now) {
        return deleteExpiredBefore(now);
    }
}
