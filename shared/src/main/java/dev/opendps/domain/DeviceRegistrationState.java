package dev.opendps.domain;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The latest registration of a device (§1.5 DeviceRegistrationResult, §4.4 DeviceRegistrationState).
 * {@code enrollmentGroupId} is set when the device registered through a group.
 */
public record DeviceRegistrationState(
        String registrationId,
        String deviceId,
        String assignedHub,
        RegistrationStatus status,
        String substatus,
        Integer errorCode,
        String errorMessage,
        JsonNode payload,
        String enrollmentGroupId,
        String attestationType,
        RecordVersion version) implements Versioned<DeviceRegistrationState> {

    public DeviceRegistrationState {
        payload = payload == null ? null : payload.deepCopy();
        version = version == null ? RecordVersion.NONE : version;
    }

    @Override
    public String id() {
        return registrationId;
    }

    @Override
    public DeviceRegistrationState withVersion(RecordVersion newVersion) {
        return new DeviceRegistrationState(registrationId, deviceId, assignedHub, status, substatus, errorCode,
                errorMessage, payload, enrollmentGroupId, attestationType, newVersion);
    }
}
