package dev.opendps.domain;

/** The device's endorsement key and optional storage root key, base64 TPM2B_PUBLIC (§4.4, §2.4). */
public record TpmAttestation(String endorsementKey, String storageRootKey) implements Attestation {
    @Override
    public String type() {
        return "tpm";
    }
}
