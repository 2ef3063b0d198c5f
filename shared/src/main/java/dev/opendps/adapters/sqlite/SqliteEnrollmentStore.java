package dev.opendps.adapters.sqlite;

import dev.opendps.adapters.DocumentCodec;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.port.EnrollmentStore;
import dev.opendps.wire.StorageCodecs;

/** Individual enrollments in the embedded store. */
public final class SqliteEnrollmentStore extends SqliteDocumentStore<IndividualEnrollment> implements EnrollmentStore {

    public SqliteEnrollmentStore(SqliteDatabase database) {
        this(database, StorageCodecs.enrollments());
    }

    SqliteEnrollmentStore(SqliteDatabase database, DocumentCodec<IndividualEnrollment> codec) {
        super(database, DocumentKind.ENROLLMENT, codec);
    }
}
