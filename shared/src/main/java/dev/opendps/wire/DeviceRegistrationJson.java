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

    public static ObjectNode result(DeviceRegistrationState state) {
        ObjectNode node = Json.object();
        node.put("registrationId", state.registrationId());
        Fields.putIfNotNull(node, "createdDateTimeUtc", Timestamps.format(state.version().createdDateTimeUtc()));
        Fields.putIfNotNull(node, "assignedHub", state.assignedHub());
        Fields.putIfNotNull(node, "deviceId", state.deviceId());
        node.put("status", state.status().wireName());
        Fields.putIfNotNull(node, "substatus", state.substatus());
        if (state.errorCode() != null) {
            node.put("errorCode", state.errorCode());
        }
        Fields.putIfNotNull(node, "errorMessage", state.errorMessage());
        Fields.putIfNotNull(node, "lastUpdatedDateTimeUtc", Timestamps.format(state.version().lastUpdatedDateTimeUtc()));
        Fields.putIfNotNull(node, "etag", ETags.quote(state.etag()));
        // Java deserializes payload into a JsonObject: anything but an object would break it (§1.5).
        if (state.payload() != null && state.payload().isObject()) {
            node.set("payload", state.payload());
        }
        if ("symmetricKey".equals(state.attestationType())) {
            ObjectNode symmetricKey = node.putObject("symmetricKey");
            Fields.putIfNotNull(symmetricKey, "enrollmentGroupId", state.enrollmentGroupId());
        }
        return node;
    }
}
