package dev.opendps.app;

import dev.opendps.domain.port.CaCertificateStore;
import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.EnrollmentStore;
import dev.opendps.domain.port.InstanceStore;
import dev.opendps.domain.port.RegistrationOperationStore;
import dev.opendps.domain.port.RegistrationStateStore;
import dev.opendps.domain.port.TpmChallengeStore;

/** The store adapters one deployment runs on, and what closes them. */
public record Stores(
        InstanceStore instances,
        EnrollmentStore enrollments,
        EnrollmentGroupStore enrollmentGroups,
        RegistrationStateStore registrationStates,
        RegistrationOperationStore registrationOperations,
        TpmChallengeStore tpmChallenges,
        HubRegistry hubs,
        CaCertificateStore caCertificates,
        AutoCloseable resources) {
}
