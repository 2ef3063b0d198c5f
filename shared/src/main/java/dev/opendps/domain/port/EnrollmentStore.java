package dev.opendps.domain.port;

import dev.opendps.domain.IndividualEnrollment;

/** Individual enrollments, keyed by registration id. */
public interface EnrollmentStore extends VersionedStore<IndividualEnrollment> {
}
