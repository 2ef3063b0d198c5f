package dev.opendps.service.registration;

import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.EnrollmentSettings;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.X509RegistrationResult;

/**
 * The enrollment a device proved it belongs to, how its hub identity authenticates (§7: the enrollment's or
 * derived SAS keys, the TPM's imported key, or the X.509 leaf's thumbprint), and what the attestation
 * reports back to the device (§1.5: {@code x509} infos, the TPM's second activation blob).
 *
 * @param hubAuthentication null when the match only decides that the device is disabled
 */
record DeviceCredentialMatch(IndividualEnrollment individual, EnrollmentGroup group, String attestationType,
                             HubDevice.Authentication hubAuthentication, X509RegistrationResult x509,
                             String tpmAuthenticationKey) {

    static DeviceCredentialMatch symmetricKey(IndividualEnrollment individual, EnrollmentGroup group,
                                              String primaryKey, String secondaryKey) {
        return new DeviceCredentialMatch(individual, group, "symmetricKey",
                primaryKey == null && secondaryKey == null ? null : HubDevice.Authentication.sas(primaryKey, secondaryKey),
                null, null);
    }

    EnrollmentSettings settings() {
        return individual != null ? individual.settings() : group.settings();
    }

    String enrollmentGroupId() {
        return group == null ? null : group.enrollmentGroupId();
    }

    /** deviceId = the individual enrollment's deviceId if set, else the registration id (§6.3). */
    String deviceId(String registrationId) {
        return individual != null && individual.deviceId() != null ? individual.deviceId() : registrationId;
    }

    @Override
    public String toString() {
        return "DeviceCredentialMatch[" + attestationType + ", " + (individual != null
                ? "enrollment " + individual.registrationId() : "group " + group.enrollmentGroupId()) + "]";
    }
}
