package dev.opendps.domain.port;

import java.util.Objects;

/**
 * The key-encryption key (KEK) of envelope encryption: it wraps and unwraps the data keys that encrypt stored
 * secrets, and never leaves its holder (a local key file, or a Key Vault key). It has versions: new data keys are
 * wrapped under the current one, data keys wrapped under an older version stay unwrappable.
 *
 * <p>Implementations are thread-safe. A holder that cannot be reached (a key service down or throttling) throws
 * {@link StoreUnavailableException}, which the APIs answer with a DPS 503.
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

    /**
     * Adds a version and makes it current (data keys wrapped from now on use it; older versions stay
     * unwrappable); returns its name.
     *
     * @throws UnsupportedOperationException if this holder is not rotated from here
     */
    default String rotate() {
        throw new UnsupportedOperationException(description() + " is not rotated from here.");
    }

    /**
     * Names the holder for operators (health, logs): what it is and where, e.g. a Key Vault key identifier,
     * never key material or credentials.
     */
    default String description() {
        return getClass().getSimpleName();
    }

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
