package dev.opendps.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.RegistrationStatus;

/** DeviceRegistrationState (§4.4) for the service API, and as stored. */
public final class RegistrationStateJson {
    private RegistrationStateJson() {
    }

    public static ObjectNode write(DeviceRegistrationState state, View view) {
        ObjectNode node = Json.object();
        node.put("registrationId", state.registrationId());
        Fields.putIfNotNull(node, "assignedHub", state.assignedHub());
        Fields.putIfNotNull(node, "deviceId", state.deviceId());
        node.put("status", state.status().wireName());
        Fields.putIfNotNull(node, "substatus", state.substatus());
        if (state.errorCode() != null) {
            node.put("errorCode", state.errorCode());
        }
        Fields.putIfNotNull(node, "errorMessage", state.errorMessage());
        if (state.payload() != null) {
            node.set("payload", state.payload());
        }
        if (view == View.STORAGE) {
            Fields.putIfNotNull(node, "enrollmentGroupId", state.enrollmentGroupId());
            Fields.putIfNotNull(node, "attestationType", state.attestationType());
        }
        EnrollmentJson.writeVersion(node, state.version(), view);
        return node;
    }

    public static DeviceRegistrationState read(JsonNode node) {
        JsonNode errorCode = Fields.present(node, "errorCode");
        return new DeviceRegistrationState(
                Fields.string(node, "registrationId"),
                Fields.string(node, "deviceId"),
                Fields.string(node, "assignedHub"),
                RegistrationStatus.fromWire(Fields.string(node, "status")),
                Fields.string(node, "substatus"),
                errorCode == null ? null : errorCode.intValue(),
                Fields.string(node, "errorMessage"),
                Fields.present(node, "payload"),
                Fields.string(node, "enrollmentGroupId"),
                Fields.string(node, "attestationType"),
                EnrollmentJson.readVersion(node));
    }
}
