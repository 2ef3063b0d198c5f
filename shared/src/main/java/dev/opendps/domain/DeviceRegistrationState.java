package dev.opendps.domain;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The latest registration of a device (§1.5 DeviceRegistrationResult, §4.4 DeviceRegistrationState).
 * {@code enrollmentGroupId} is set when the device registered through a group; {@code x509} after an X.509
 * registration; {@code tpmAuthenticationKey} is the activation blob an assigned TPM device imports (§2.4).
 * {@code initialHub} is the hub of the device's initial assignment, kept so that a device moved back there is
 * reported as {@code reprovisionedToInitialAssignment} (§6.4); null before the first assignment, and for states
 * stored before it was recorded when it cannot be known.
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
        X509RegistrationResult x509,
        String tpmAuthenticationKey,
        String initialHub,
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
                errorMessage, payload, enrollmentGroupId, attestationType, x509, tpmAuthenticationKey, initialHub, newVersion);
    }
}
