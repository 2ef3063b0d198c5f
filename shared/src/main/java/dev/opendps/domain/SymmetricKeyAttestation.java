package dev.opendps.domain;

/** Primary and secondary keys, base64 of 16 to 64 bytes (§4.4). */
public record SymmetricKeyAttestation(String primaryKey, String secondaryKey) implements Attestation {
    @Override
    public String type() {
        return "symmetricKey";
    }

    @Override
    public String toString() {
        return "SymmetricKeyAttestation[keys redacted]";
    }
}
