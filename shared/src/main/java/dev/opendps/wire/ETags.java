package dev.opendps.wire;

/**
 * ETags on the wire are quoted strings (dps-protocol.md §4.3); stores keep them bare. C# quotes If-Match,
 * Java and Node send the stored value verbatim, so both sides are unquoted before comparing.
 */
public final class ETags {
    private ETags() {
    }

    public static String quote(String bare) {
        return bare == null ? null : "\"" + bare + "\"";
    }

    /** Strips {@code W/} and surrounding quotes; null or blank stays null; {@code *} stays {@code *}. */
    public static String unquote(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.startsWith("W/") || v.startsWith("w/")) {
            v = v.substring(2);
        }
        while (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        return v.isEmpty() ? null : v;
    }
}
