package dev.opendps.domain.tpm;

/**
 * A well-formed TPM public key that the activation blob cannot be built for, such as an ECC endorsement key
 * (dps-protocol.md §2.4: only RSA-2048 with SHA-256 and AES-128-CFB is supported). Callers answer the device
 * with 401. The message names the key and the reason and contains no secret.
 */
public class UnsupportedTpmKeyException extends IllegalArgumentException {
    public UnsupportedTpmKeyException(String message) {
        super(message);
    }
}
