package dev.opendps.service;

import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.EnrollmentStore;
import dev.opendps.domain.port.InvalidContinuationTokenException;
import dev.opendps.domain.port.Page;
import dev.opendps.domain.port.RegistrationStateStore;
import java.time.Clock;

/** The enrollment service API's use cases (dps-protocol.md §4): enrollments, groups, registration states. */
public final class EnrollmentService {
    private final EnrollmentRecords<IndividualEnrollment> enrollments;
    private final EnrollmentRecords<EnrollmentGroup> groups;
    private final RecordLifecycle<DeviceRegistrationState> registrations;
    private final RegistrationStateStore registrationStore;

    public EnrollmentService(EnrollmentStore enrollmentStore, EnrollmentGroupStore groupStore,
                             RegistrationStateStore registrationStore, Clock clock) {
        this.enrollments = new EnrollmentRecords<>(
                new RecordLifecycle<>(enrollmentStore, clock, ErrorCode.ENROLLMENT_NOT_FOUND, "enrollment"),
                (idScope, id, incoming, existing) -> EnrollmentRules.individual(id, incoming, existing));
        this.groups = new EnrollmentRecords<>(
                new RecordLifecycle<>(groupStore, clock, ErrorCode.ENROLLMENT_GROUP_NOT_FOUND, "enrollment group"),
                new X509GroupCertificates(groupStore)::checkedGroup);
        this.registrations = new RecordLifecycle<>(registrationStore, clock, ErrorCode.REGISTRATION_NOT_FOUND,
                "registration");
        this.registrationStore = registrationStore;
    }

    public EnrollmentRecords<IndividualEnrollment> enrollments() {
        return enrollments;
    }

    public EnrollmentRecords<EnrollmentGroup> groups() {
        return groups;
    }

    public DeviceRegistrationState registration(String idScope, String registrationId) {
        return registrations.get(idScope, registrationId);
    }

    /** Deleting a registration state makes the device's next registration an initial assignment (§6.4). */
    public void deleteRegistration(String idScope, String registrationId, String ifMatch) {
        registrations.delete(idScope, registrationId, ifMatch);
    }

    public Page<DeviceRegistrationState> registrationsOfGroup(String idScope, String enrollmentGroupId,
                                                              int maxItems, String continuationToken) {
        groups.get(idScope, enrollmentGroupId);
        try {
            return registrationStore.listByEnrollmentGroup(idScope, enrollmentGroupId, maxItems, continuationToken);
        } catch (InvalidContinuationTokenException e) {
            throw new dev.opendps.domain.ProvisioningException(ErrorCode.INVALID_QUERY,
                    "The continuation token is not valid.");
        }
    }
}
