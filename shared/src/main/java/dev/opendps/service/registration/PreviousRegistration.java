package dev.opendps.service.registration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.EnrollmentSettings;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.RegistrationStatus;
import dev.opendps.domain.allocation.DeviceRuntimeContext;
import dev.opendps.domain.allocation.DeviceRuntimeContext.PresentedAttestation;

/**
 * What a device's last registration state means for its next registration (dps-protocol.md §5, §6.4): whether
 * it has an identity in a hub, whether it stays there, and where its initial assignment was. Shared by the
 * registration itself and by its side-effect-free explanation, so that both read a state the same way.
 */
final class PreviousRegistration {
    /** The substatus of a device's first assignment (§1.5, §6.4). */
    static final String INITIAL_ASSIGNMENT = "initialAssignment";

    private PreviousRegistration() {
    }

    /** Whether the device's last registration assigned it, so that it has an identity in a hub (§6.4). */
    static boolean wasAssigned(DeviceRegistrationState previous) {
        return previous != null && previous.status() == RegistrationStatus.ASSIGNED && previous.assignedHub() != null
                && previous.deviceId() != null;
    }

    /** With {@code updateHubAssignment=false} a device stays on its current hub while that hub is linked (§6.4). */
    static LinkedHub keptHub(ProvisioningInstance instance, EnrollmentSettings settings,
                             DeviceRegistrationState previous) {
        if (!wasAssigned(previous) || settings.reprovisionPolicy().updateHubAssignment()) {
            return null;
        }
        return instance.linkedHub(previous.assignedHub()).orElse(null);
    }

    /**
     * The hub of the device's initial assignment, if known. States stored before it was recorded know it only
     * while they still report that initial assignment.
     */
    static String initialHub(DeviceRegistrationState previous) {
        if (previous == null) {
            return null;
        }
        if (previous.initialHub() != null) {
            return previous.initialHub();
        }
        return wasAssigned(previous) && INITIAL_ASSIGNMENT.equals(previous.substatus()) ? previous.assignedHub() : null;
    }

    /**
     * The device as allocation sees it (§5 {@code deviceRuntimeContext}): where it was assigned before, if it
     * was, the public side of its attestation, and the payload it sent, if any.
     */
    static DeviceRuntimeContext runtimeContext(String registrationId, DeviceRegistrationState previous,
                                               PresentedAttestation attestation, JsonNode payload) {
        boolean assigned = wasAssigned(previous);
        return new DeviceRuntimeContext(registrationId, assigned ? previous.assignedHub() : null,
                assigned ? previous.deviceId() : null, attestation, payload);
    }
}
