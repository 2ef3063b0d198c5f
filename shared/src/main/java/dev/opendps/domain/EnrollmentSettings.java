package dev.opendps.domain;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What individual enrollments and enrollment groups have in common (§4.4): attestation, hub selection,
 * initial twin and lifecycle settings. {@code allocationPolicy} null means the instance default.
 */
public record EnrollmentSettings(
        Attestation attestation,
        boolean iotEdge,
        String iotHubHostName,
        JsonNode initialTwin,
        ProvisioningStatus provisioningStatus,
        ReprovisionPolicy reprovisionPolicy,
        AllocationPolicy allocationPolicy,
        List<String> iotHubs,
        CustomAllocationDefinition customAllocationDefinition) {

    public EnrollmentSettings {
        iotHubs = iotHubs == null ? List.of() : List.copyOf(iotHubs);
        initialTwin = initialTwin == null ? null : initialTwin.deepCopy();
        provisioningStatus = provisioningStatus == null ? ProvisioningStatus.ENABLED : provisioningStatus;
        reprovisionPolicy = reprovisionPolicy == null ? ReprovisionPolicy.DEFAULT : reprovisionPolicy;
    }

    public EnrollmentSettings withAttestation(Attestation newAttestation) {
        return new EnrollmentSettings(newAttestation, iotEdge, iotHubHostName, initialTwin, provisioningStatus,
                reprovisionPolicy, allocationPolicy, iotHubs, customAllocationDefinition);
    }

    public boolean enabled() {
        return provisioningStatus == ProvisioningStatus.ENABLED;
    }
}
