package dev.opendps.service.registration;

import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.EnrollmentSettings;
import dev.opendps.domain.IndividualEnrollment;

/**
 * The enrollment a device proved it belongs to, and the SAS keys its hub identity gets: the enrollment's
 * keys for an individual enrollment, the keys derived for this device from a group's keys (§2.1, §7).
 */
record DeviceCredentialMatch(IndividualEnrollment individual, EnrollmentGroup group, String primaryKey,
                             String secondaryKey) {

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
        return "DeviceCredentialMatch[" + (individual != null ? "enrollment " + individual.registrationId()
                : "group " + group.enrollmentGroupId()) + "]";
    }
}
