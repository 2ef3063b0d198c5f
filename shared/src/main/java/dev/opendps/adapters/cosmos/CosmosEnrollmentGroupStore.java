package dev.opendps.adapters.cosmos;

import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.wire.StorageCodecs;

/** Enrollment groups in Cosmos DB. */
public final class CosmosEnrollmentGroupStore extends CosmosDocumentStore<EnrollmentGroup>
        implements EnrollmentGroupStore {

    public CosmosEnrollmentGroupStore(CosmosDatabase database) {
        super(database, CosmosRecordKind.ENROLLMENT_GROUP, StorageCodecs.enrollmentGroups());
    }
}
