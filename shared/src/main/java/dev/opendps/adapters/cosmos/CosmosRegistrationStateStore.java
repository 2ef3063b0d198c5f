package dev.opendps.adapters.cosmos;

import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.port.Page;
import dev.opendps.domain.port.RegistrationStateStore;
import dev.opendps.wire.StorageCodecs;

/**
 * Device registration states in Cosmos DB; the enrollment group a registration came through is the item's
 * secondary key, so a group's registrations are one query inside the ID scope's partition.
 */
public final class CosmosRegistrationStateStore extends CosmosDocumentStore<DeviceRegistrationState>
        implements RegistrationStateStore {

    public CosmosRegistrationStateStore(CosmosDatabase database) {
        super(database, CosmosRecordKind.REGISTRATION_STATE, StorageCodecs.registrationStates(),
                DeviceRegistrationState::enrollmentGroupId, state -> null);
    }

    @Override
    public Page<DeviceRegistrationState> listByEnrollmentGroup(String idScope, String enrollmentGroupId, int maxItems,
                                                               String continuationToken) {
        return listBySecondaryKey(idScope, enrollmentGroupId, maxItems, continuationToken);
    }
}
