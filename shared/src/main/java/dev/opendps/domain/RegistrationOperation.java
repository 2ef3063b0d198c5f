package dev.opendps.domain;

import java.time.Instant;

/**
 * A long-running register call that devices poll by operation id (§1.1). {@code registrationState} is
 * the outcome once the operation is terminal, null while it is still assigning.
 */
public record RegistrationOperation(
        String operationId,
        String registrationId,
        RegistrationStatus status,
        DeviceRegistrationState registrationState,
        Instant expiresAtUtc,
        RecordVersion version) implements Versioned<RegistrationOperation> {

    public RegistrationOperation {
        version = version == null ? RecordVersion.NONE : version;
    }

    @Override
    public String id() {
        return operationId;
    }

    @Override
    public RegistrationOperation withVersion(RecordVersion newVersion) {
        return new RegistrationOperation(operationId, registrationId, status, registrationState, expiresAtUtc,
                newVersion);
    }
}
