package dev.opendps.adapters.keys;

import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.domain.port.SecretProtectionException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The key-encryption key a deployment runs with: one current holder wraps every new data key, and each holder
 * that is still present unwraps what it wrapped, chosen by the prefix of the version the data key names
 * ({@code local:3}, {@code keyvault:https://…}). This is how a deployment moves from the local key file to Key
 * Vault: Key Vault becomes current, the file stays readable until every data key has been re-wrapped.
 */
public final class KeyEncryptionKeyRing implements KeyEncryptionKey {
    private final KeyEncryptionKey current;
    private final Map<String, KeyEncryptionKey> byPrefix;
    private final Map<String, String> missing;

    private KeyEncryptionKeyRing(KeyEncryptionKey current, Map<String, KeyEncryptionKey> byPrefix,
                                 Map<String, String> missing) {
        this.current = current;
        this.byPrefix = Collections.unmodifiableMap(new LinkedHashMap<>(byPrefix));
        this.missing = Collections.unmodifiableMap(new LinkedHashMap<>(missing));
    }

    /** A ring whose current holder is {@code current}, known by its versions' {@code prefix}. */
    public static Builder current(String prefix, KeyEncryptionKey current) {
        return new Builder(prefix, current);
    }

    /** The holder that wraps new data keys. */
    public KeyEncryptionKey currentHolder() {
        return current;
    }

    @Override
    public String currentVersion() {
        return current.currentVersion();
    }

    @Override
    public WrappedKey wrap(byte[] dataKey) {
        return current.wrap(dataKey);
    }

    @Override
    public byte[] unwrap(String version, byte[] wrappedKey) {
        if (version != null) {
            for (Map.Entry<String, KeyEncryptionKey> holder : byPrefix.entrySet()) {
                if (version.startsWith(holder.getKey())) {
                    return holder.getValue().unwrap(version, wrappedKey);
                }
            }
            for (Map.Entry<String, String> absent : missing.entrySet()) {
                if (version.startsWith(absent.getKey())) {
                    throw new SecretProtectionException("A data key is wrapped under '" + version + "', but "
                            + absent.getValue());
                }
            }
        }
        throw new SecretProtectionException("The key-encryption key version '" + version + "' belongs to no"
                + " key-encryption key this deployment has (" + String.join(", ", byPrefix.keySet()) + ").");
    }

    @Override
    public String rotate() {
        return current.rotate();
    }

    @Override
    public String description() {
        return current.description();
    }

    public static final class Builder {
        private final KeyEncryptionKey current;
        private final Map<String, KeyEncryptionKey> byPrefix = new LinkedHashMap<>();
        private final Map<String, String> missing = new LinkedHashMap<>();

        private Builder(String prefix, KeyEncryptionKey current) {
            this.current = Objects.requireNonNull(current, "current");
            byPrefix.put(Objects.requireNonNull(prefix, "prefix"), current);
        }

        /** Also unwraps the data keys that {@code holder} wrapped (versions starting with {@code prefix}). */
        public Builder alsoReads(String prefix, KeyEncryptionKey holder) {
            byPrefix.putIfAbsent(prefix, Objects.requireNonNull(holder, "holder"));
            return this;
        }

        /**
         * Versions starting with {@code prefix} belong to a holder that is not present; unwrapping one fails
         * with {@code why} (what to restore), not with a bare "unknown version".
         */
        public Builder absent(String prefix, String why) {
            missing.putIfAbsent(prefix, why);
            return this;
        }

        public KeyEncryptionKeyRing build() {
            return new KeyEncryptionKeyRing(current, byPrefix, missing);
        }
    }
}
