package dev.opendps.adapters;

/**
 * Text another service sent (an error message, an exception's message) made fit to log or to quote in an error:
 * one line, at most {@value #MAX_CHARACTERS} characters, with anything that looks like a SAS token or signature
 * redacted.
 */
public final class RemoteText {
    public static final int MAX_CHARACTERS = 300;

    private RemoteText() {
    }

    public static String sanitize(String text) {
        String line = text.replaceAll("\\p{Cntrl}+", " ").strip();
        int token = line.indexOf("SharedAccessSignature");
        if (token >= 0) {
            line = line.substring(0, token) + "(token redacted)";
        }
        line = line.replaceAll("(?i)sig=[^&\\s]*", "sig=redacted");
        return line.length() > MAX_CHARACTERS ? line.substring(0, MAX_CHARACTERS) + "…" : line;
    }
}
