package dev.opendps.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.RegistrationOperation;

/**
 * What devices receive (dps-protocol.md §1.5): RegistrationOperationStatus, whose {@code operationId} and
 * {@code status} the Java SDK requires on every answer, and DeviceRegistrationResult, whose
 * {@code registrationId} and {@code status} it requires whenever {@code registrationState} is present.
 */
public final class DeviceRegistrationJson {
    private DeviceRegistrationJson() {
    }

    public static ObjectNode operationStatus(RegistrationOperation operation) {
        ObjectNode node = Json.object();
        node.put("operationId", operation.operationId());
        node.put("status", operation.status().wireName());
        if (operation.registrationState() != null) {
            node.set("registrationState", result(operation.registrationState()));
        }
        return node;
    }

    /** The service API's DeviceRegistrationState plus what devices read: the attestation's result object. */
    public static ObjectNode result(DeviceRegistrationState state) {
        ObjectNode node = RegistrationStateJson.write(state, View.API);
        // Java deserializes payload into a JsonObject: anything but an object would break it (§1.5).
        if (node.has("payload") && !node.get("payload").isObject()) {
            node.remove("payload");
        }
        switch (state.attestationType() == null ? "" : state.attestationType()) {
            case "symmetricKey" -> {
                ObjectNode symmetricKey = node.putObject("symmetricKey");
                Fields.putIfNotNull(symmetricKey, "enrollmentGroupId", state.enrollmentGroupId());
            }
            case "x509" -> {
                ObjectNode x509 = state.x509() == null ? Json.object() : RegistrationStateJson.writeX509(state.x509());
                Fields.putIfNotNull(x509, "enrollmentGroupId", state.enrollmentGroupId());
                node.set("x509", x509);
            }
            case "tpm" -> {
                // Every TPM-capable SDK imports this blob on assignment and signs hub tokens with its key (§2.4).
                if (state.tpmAuthenticationKey() != null) {
                    node.putObject("tpm").put("authenticationKey", state.tpmAuthenticationKey());
                }
            }
            default -> {
            }
        }
        return node;
    }
}
