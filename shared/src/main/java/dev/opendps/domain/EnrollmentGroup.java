package dev.opendps.domain;

/** An enrollment of many devices sharing an attestation root, keyed by its group id (§4.4). */
public record EnrollmentGroup(
        String enrollmentGroupId,
        EnrollmentSettings settings,
        RecordVersion version) implements Versioned<EnrollmentGroup> {

    public EnrollmentGroup {
        version = version == null ? RecordVersion.NONE : version;
    }

    @Override
    public String id() {
        return enrollmentGroupId;
    }

    @Override
    public EnrollmentGroup withVersion(RecordVersion newVersion) {
        return new EnrollmentGroup(enrollmentGroupId, settings, newVersion);
    }

    public EnrollmentGroup withSettings(EnrollmentSettings newSettings) {
        return new EnrollmentGroup(enrollmentGroupId, newSettings, version);
    }
}
