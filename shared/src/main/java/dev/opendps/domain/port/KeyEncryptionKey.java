package dev.opendps.domain.port;

import java.util.Objects;

/**
 * The key-encryption key (KEK) of envelope encryption: it wraps and unwraps the data keys that encrypt stored
 * secrets, and never leaves its holder (a local key file, later Key Vault). It has versions: new data keys are
 * wrapped under the current one, data keys wrapped under an older version stay unwrappable.
 */
public interface KeyEncryptionKey {
    /** The version new data keys are wrapped under, qualified by the holder, e.g. {@code local:2}. */
    String currentVersion();

    /** Wraps a data key under the current version. */
    WrappedKey wrap(byte[] dataKey);

    /**
     * Unwraps a data key wrapped under {@code version}.
     *
     * @throws SecretProtectionException if the version is unknown or the wrapped key fails its integrity check
     */
    byte[] unwrap(String version, byte[] wrappedKey);

    /** A data key as the KEK wrapped it, with the KEK version that did. */
    record WrappedKey(String version, byte[] wrapped) {
        public WrappedKey {
            Objects.requireNonNull(version, "version");
            wrapped = wrapped.clone();
        }

        @Override
        public byte[] wrapped() {
            return wrapped.clone();
        }
    }
}
