package dev.opendps.service.registration;

import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.SymmetricKeyAttestation;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.EnrollmentStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Symmetric-key attestation (dps-protocol.md §2.1, §6.2): the device's SAS token, once {@link DeviceTokens}
 * accepted its resource and lifetime, must be signed with an individual enrollment's key or a key derived from a group key. An individual enrollment wins
 * over any group; a disabled individual enrollment blocks the device even if a group would match. A
 * group key itself never authenticates a device. Every failure is the same 401, so a caller learns
 * nothing about which enrollments exist.
 */
final class SymmetricKeyAttestationCheck {
    private final EnrollmentStore enrollments;
    private final EnrollmentGroupStore groups;
    private final SymmetricKeyGroups groupSearch;

    SymmetricKeyAttestationCheck(EnrollmentStore enrollments, EnrollmentGroupStore groups, Clock clock) {
        this.enrollments = enrollments;
        this.groups = groups;
        this.groupSearch = new SymmetricKeyGroups(groups, clock, Duration.ofSeconds(2));
    }

    /**
     * The enrollment whose key signed the token. {@code previous} is the device's last registration: a
     * returning group device is checked against its group first, without searching the others.
     */
    DeviceCredentialMatch match(String idScope, String registrationId, SharedAccessSignature token,
                                Optional<DeviceRegistrationState> previous) {
        Optional<IndividualEnrollment> individual = enrollments.find(idScope, registrationId);
        if (individual.isPresent()) {
            return matchIndividual(idScope, registrationId, token, individual.get());
        }
        String knownGroup = previous.map(DeviceRegistrationState::enrollmentGroupId).orElse(null);
        if (knownGroup != null) {
            Optional<DeviceCredentialMatch> match = matchGroup(idScope, knownGroup, registrationId, token);
            if (match.isPresent()) {
                return match.get();
            }
        }
        return groupSearch.groupSigning(idScope, registrationId, token)
                .flatMap(groupId -> matchGroup(idScope, groupId, registrationId, token))
                .orElseThrow(() -> unauthorized("The token's signature is not valid for this device."));
    }

    private DeviceCredentialMatch matchIndividual(String idScope, String registrationId, SharedAccessSignature token,
                                                  IndividualEnrollment enrollment) {
        if (enrollment.settings().attestation() instanceof SymmetricKeyAttestation keys
                && (token.isSignedByKey(keys.primaryKey()) || token.isSignedByKey(keys.secondaryKey()))) {
            return DeviceCredentialMatch.symmetricKey(enrollment, null, keys.primaryKey(), keys.secondaryKey());
        }
        // A disabled individual enrollment revokes the device even when a group would still admit it.
        if (!enrollment.settings().enabled()
                && groupSearch.groupSigning(idScope, registrationId, token).isPresent()) {
            return DeviceCredentialMatch.symmetricKey(enrollment, null, null, null);
        }
        throw unauthorized("The token's signature is not valid for this device.");
    }

    private Optional<DeviceCredentialMatch> matchGroup(String idScope, String groupId, String registrationId,
                                                       SharedAccessSignature token) {
        Optional<EnrollmentGroup> group = groups.find(idScope, groupId);
        if (group.isEmpty() || !(group.get().settings().attestation() instanceof SymmetricKeyAttestation keys)) {
            return Optional.empty();
        }
        String primary = keys.primaryKey() == null ? null : SymmetricKeys.deriveDeviceKey(keys.primaryKey(), registrationId);
        String secondary = keys.secondaryKey() == null ? null
                : SymmetricKeys.deriveDeviceKey(keys.secondaryKey(), registrationId);
        if (token.isSignedByKey(primary) || token.isSignedByKey(secondary)) {
            return Optional.of(DeviceCredentialMatch.symmetricKey(null, group.get(), primary, secondary));
        }
        return Optional.empty();
    }


    private static ProvisioningException unauthorized(String message) {
        return DeviceTokens.unauthorized(message);
    }
}
