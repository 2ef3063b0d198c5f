package dev.opendps.domain;

import java.time.Instant;

/**
 * The key a TPM device was challenged to import (dps-protocol.md §2.4): issued on its first register,
 * which carries no Authorization, and used to check the SAS tokens it then signs with the imported key, on
 * the second register and its polls. Bound to the storage root key the activation blob was built for. The
 * key is secret: {@link #toString()} leaves it out.
 *
 * @param key base64 of the 32-byte HMAC key inside the activation blob
 */
public record TpmChallenge(
        String registrationId,
        String storageRootKey,
        String key,
        Instant expiresAtUtc,
        RecordVersion version) implements Versioned<TpmChallenge> {

    public TpmChallenge {
        version = version == null ? RecordVersion.NONE : version;
    }

    @Override
    public String id() {
        return registrationId;
    }

    @Override
    public TpmChallenge withVersion(RecordVersion newVersion) {
        return new TpmChallenge(registrationId, storageRootKey, key, expiresAtUtc, newVersion);
    }

    @Override
    public String toString() {
        return "TpmChallenge[" + registrationId + ", expires " + expiresAtUtc + ", key redacted]";
    }
}
