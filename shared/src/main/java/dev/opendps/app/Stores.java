package dev.opendps.app;

import dev.opendps.domain.port.CaCertificateStore;
import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.EnrollmentStore;
import dev.opendps.domain.port.InstanceStore;
import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.domain.port.RegistrationOperationStore;
import dev.opendps.domain.port.RegistrationStateStore;
import dev.opendps.domain.port.TpmChallengeStore;

/**
 * The store adapters one deployment runs on, what closes them, and the key-encryption key that protects the
 * secrets in their documents (null: none, e.g. stores a test made without protection).
 */
public record Stores(
        InstanceStore instances,
        EnrollmentStore enrollments,
        EnrollmentGroupStore enrollmentGroups,
        RegistrationStateStore registrationStates,
        RegistrationOperationStore registrationOperations,
        TpmChallengeStore tpmChallenges,
        HubRegistry hubs,
        CaCertificateStore caCertificates,
        AutoCloseable resources,
        KeyEncryptionKey keyEncryptionKey) {

    /** Stores whose documents are not protected by a key-encryption key of the application's. */
    public Stores(InstanceStore instances, EnrollmentStore enrollments, EnrollmentGroupStore enrollmentGroups,
                  RegistrationStateStore registrationStates, RegistrationOperationStore registrationOperations,
                  TpmChallengeStore tpmChallenges, HubRegistry hubs, CaCertificateStore caCertificates,
                  AutoCloseable resources) {
        this(instances, enrollments, enrollmentGroups, registrationStates, registrationOperations, tpmChallenges,
                hubs, caCertificates, resources, null);
    }
}
