package dev.opendps.domain;

import com.fasterxml.jackson.databind.JsonNode;

/** An enrollment of one device, keyed by its registration id (§4.4). */
public record IndividualEnrollment(
        String registrationId,
        String deviceId,
        JsonNode optionalDeviceInformation,
        EnrollmentSettings settings,
        RecordVersion version) implements Versioned<IndividualEnrollment> {

    public IndividualEnrollment {
        optionalDeviceInformation = optionalDeviceInformation == null ? null : optionalDeviceInformation.deepCopy();
        version = version == null ? RecordVersion.NONE : version;
    }

    @Override
    public String id() {
        return registrationId;
    }

    @Override
    public IndividualEnrollment withVersion(RecordVersion newVersion) {
        return new IndividualEnrollment(registrationId, deviceId, optionalDeviceInformation, settings, newVersion);
    }

    public IndividualEnrollment withSettings(EnrollmentSettings newSettings) {
        return new IndividualEnrollment(registrationId, deviceId, optionalDeviceInformation, newSettings, version);
    }
}
