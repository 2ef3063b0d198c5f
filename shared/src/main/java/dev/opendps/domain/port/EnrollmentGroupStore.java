package dev.opendps.domain.port;

import dev.opendps.domain.EnrollmentGroup;

/** Enrollment groups, keyed by enrollment group id. */
public interface EnrollmentGroupStore extends VersionedStore<EnrollmentGroup> {
}
