package dev.opendps.adapters.sqlite;

import dev.opendps.adapters.DocumentCodec;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.port.Page;
import dev.opendps.domain.port.RegistrationStateStore;
import dev.opendps.wire.StorageCodecs;

/** Device registration states in the embedded store, indexed by the enrollment group they came through. */
public final class SqliteRegistrationStateStore extends SqliteDocumentStore<DeviceRegistrationState>
        implements RegistrationStateStore {

    public SqliteRegistrationStateStore(SqliteDatabase database) {
        this(database, StorageCodecs.registrationStates());
    }

    SqliteRegistrationStateStore(SqliteDatabase database, DocumentCodec<DeviceRegistrationState> codec) {
        super(database, DocumentKind.REGISTRATION_STATE, codec, DeviceRegistrationState::enrollmentGroupId,
                state -> null);
    }

    @Override
    public Page<DeviceRegistrationState> listByEnrollmentGroup(String idScope, String enrollmentGroupId, int maxItems,
                                                               String continuationToken) {
        return listBySecondaryKey(idScope, enrollmentGroupId, maxItems, continuationToken);
    }
}
