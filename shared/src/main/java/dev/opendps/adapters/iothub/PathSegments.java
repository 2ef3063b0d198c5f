package dev.opendps.adapters.iothub;

import java.nio.charset.StandardCharsets;

/**
 * Device ids as one URL path segment. Ids may hold {@code - . % _ * ? ! ( ) , : = @ $ '} (dps-protocol.md
 * §6.3), several of which mean something in a URL, so everything but RFC 3986's unreserved characters is
 * percent-encoded (unlike {@code URLEncoder}, which is for forms and writes spaces as {@code +}).
 */
final class PathSegments {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PathSegments() {
    }

    static String encode(String segment) {
        if (segment.equals(".") || segment.equals("..")) {
            return segment.replace(".", "%2E"); // else a dot segment, which URI normalisation removes
        }
        StringBuilder out = new StringBuilder(segment.length() + 16);
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0x0F]);
            }
        }
        return out.toString();
    }
}
