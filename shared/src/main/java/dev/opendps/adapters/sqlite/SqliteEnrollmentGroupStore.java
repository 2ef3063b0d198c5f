package dev.opendps.adapters.sqlite;

import dev.opendps.adapters.DocumentCodec;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.wire.StorageCodecs;

/** Enrollment groups in the embedded store. */
public final class SqliteEnrollmentGroupStore extends SqliteDocumentStore<EnrollmentGroup>
        implements EnrollmentGroupStore {

    public SqliteEnrollmentGroupStore(SqliteDatabase database) {
        this(database, StorageCodecs.enrollmentGroups());
    }

    SqliteEnrollmentGroupStore(SqliteDatabase database, DocumentCodec<EnrollmentGroup> codec) {
        super(database, DocumentKind.ENROLLMENT_GROUP, codec);
    }
}
