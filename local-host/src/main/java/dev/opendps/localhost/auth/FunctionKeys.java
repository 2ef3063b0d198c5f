package dev.opendps.localhost.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * One app's keys, as the Functions host has them: the default function key, the default host key and the
 * master key. {@code function}-level functions accept any of the three, {@code admin}-level ones only the master key.
 */
public record FunctionKeys(String functionKey, String hostKey, String masterKey) {

    public FunctionKeys {
        Objects.requireNonNull(functionKey, "functionKey");
        Objects.requireNonNull(hostKey, "hostKey");
        Objects.requireNonNull(masterKey, "masterKey");
    }

    /** Whether a presented key (may be null) opens a function of this level. */
    public boolean permits(AuthLevel level, String presentedKey) {
        switch (level) {
            case ANONYMOUS:
                return true;
            case FUNCTION:
                if (presentedKey == null) {
                    return false;
                }
                // Evaluate all three so the time taken does not reveal which key was close.
                boolean function = sameKey(functionKey, presentedKey);
                boolean host = sameKey(hostKey, presentedKey);
                boolean master = sameKey(masterKey, presentedKey);
                return function | host | master;
            case ADMIN:
                return presentedKey != null && sameKey(masterKey, presentedKey);
            default:
                return false;
        }
    }

    /** Keys are secrets: never print them by accident. */
    @Override
    public String toString() {
        return "FunctionKeys[redacted]";
    }

    private static boolean sameKey(String expected, String presented) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }
}
