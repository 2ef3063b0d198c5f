package dev.opendps.adapters.keyvault;

/**
 * The Key Vault key-encryption key cannot be used as configured: the vault cannot be reached or refuses the
 * app's identity, the key is missing, not RSA, disabled or may not wrap, or it cannot be rotated from here.
 * Thrown at start-up (and by a rotation), never on a request; the message says what to change.
 */
public final class KeyVaultSetupException extends IllegalStateException {
    KeyVaultSetupException(String message) {
        super(message);
    }

    KeyVaultSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
