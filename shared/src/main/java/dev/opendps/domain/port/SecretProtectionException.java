package dev.opendps.domain.port;

/**
 * A stored secret could not be opened: its ciphertext or wrapped data key failed authentication (altered, or
 * sealed under another key), or the key-encryption key version it names is unknown. The message never holds
 * key material, so it may be shown with the record it belongs to.
 */
public class SecretProtectionException extends StoreException {
    public SecretProtectionException(String message) {
        super(message);
    }
}
