package dev.opendps.adapters.cosmos;

import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.port.EnrollmentStore;
import dev.opendps.wire.StorageCodecs;

/** Individual enrollments in Cosmos DB. */
public final class CosmosEnrollmentStore extends CosmosDocumentStore<IndividualEnrollment> implements EnrollmentStore {

    public CosmosEnrollmentStore(CosmosDatabase database) {
        super(database, CosmosRecordKind.ENROLLMENT, StorageCodecs.enrollments());
    }
}
