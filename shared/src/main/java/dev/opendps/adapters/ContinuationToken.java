package dev.opendps.adapters;

import dev.opendps.domain.port.InvalidContinuationTokenException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * Keyset continuation tokens: base64url of {@code 1\n<listing checksum>\n<last key>}. The checksum ties a
 * token to the listing that made it (kind, ID scope, filter), so a token from another listing is refused
 * instead of silently skipping records.
 */
public final class ContinuationToken {
    private static final String FORMAT = "1";

    private ContinuationToken() {
    }

    public static String encode(String listing, String lastKey) {
        String text = FORMAT + "\n" + checksum(listing) + "\n" + lastKey;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The last key of the previous page; {@link InvalidContinuationTokenException} for anything else. */
    public static String decode(String listing, String token) {
        String text;
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(token);
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw invalid();
        }
        String[] parts = text.split("\n", 3);
        if (parts.length != 3 || !parts[0].equals(FORMAT) || !parts[1].equals(checksum(listing))
                || parts[2].isEmpty()) {
            throw invalid();
        }
        return parts[2];
    }

    private static String checksum(String listing) {
        CRC32 crc = new CRC32();
        crc.update(listing.getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }

    private static InvalidContinuationTokenException invalid() {
        // The token itself is not echoed: it came from the client and may be anything.
        return new InvalidContinuationTokenException("The continuation token is not valid for this listing.");
    }
}
