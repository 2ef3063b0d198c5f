package dev.opendps.localhost.auth;

import java.util.Locale;

/** A function's {@code authLevel} from function.json. */
public enum AuthLevel {
    ANONYMOUS,
    FUNCTION,
    ADMIN;

    /** Parses any case; the Functions host's default for an absent level is {@code function}. */
    public static AuthLevel parse(String value) {
        if (value == null || value.isBlank()) {
            return FUNCTION;
        }
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
