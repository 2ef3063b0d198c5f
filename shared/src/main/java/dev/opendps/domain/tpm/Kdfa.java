package dev.opendps.domain.tpm;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The TPM 2.0 key derivation function KDFa (TPM 2.0 Library Part 1, "KDFa()"; SP 800-108 counter mode) with
 * HMAC-SHA-256, as used by credential protection and duplication (dps-protocol.md §2.4):
 * <pre>
 *   K(i) = HMAC(key, u32(i) ‖ label ‖ 0x00 ‖ contextU ‖ contextV ‖ u32(bits)),  i = 1, 2, …
 *   KDFa = the first {@code bits} bits of K(1) ‖ K(2) ‖ …
 * </pre>
 * When {@code bits} is not a multiple of 8, the unused high-order bits of the first byte are cleared.
 */
public final class Kdfa {
    private static final String HMAC_SHA256 = "HmacSHA256";

    private Kdfa() {
    }

    /**
     * KDFa with HMAC-SHA-256.
     *
     * @param key      the HMAC key (for example a seed); must not be empty
     * @param label    an ASCII label such as {@code "STORAGE"}; a terminating 0x00 is added unless it already ends
     *                 with one; must not be empty (implementations differ on an empty label)
     * @param contextU first context value, may be empty
     * @param contextV second context value, may be empty
     * @param bits     number of bits to derive, 1 to 65536
     */
    public static byte[] sha256(byte[] key, String label, byte[] contextU, byte[] contextV, int bits) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(contextU, "contextU");
        Objects.requireNonNull(contextV, "contextV");
        if (key.length == 0) {
            throw new IllegalArgumentException("The KDFa key must not be empty.");
        }
        if (label.isEmpty() || !label.chars().allMatch(c -> c < 0x80)) {
            throw new IllegalArgumentException("The KDFa label must be non-empty ASCII.");
        }
        if (bits <= 0 || bits > 65536) {
            throw new IllegalArgumentException("KDFa can derive 1 to 65536 bits, not " + bits + ".");
        }
        byte[] labelBytes = terminatedLabel(label);
        int bytes = (bits + 7) / 8;
        byte[] out = new byte[bytes];
        try {
            Mac mac = Mac.getInstance(HMAC_SHA256);
            mac.init(new SecretKeySpec(key, HMAC_SHA256));
            int done = 0;
            for (int counter = 1; done < bytes; counter++) {
                mac.update(u32(counter));
                mac.update(labelBytes);
                mac.update(contextU);
                mac.update(contextV);
                mac.update(u32(bits));
                byte[] block = mac.doFinal();
                int take = Math.min(block.length, bytes - done);
                System.arraycopy(block, 0, out, done, take);
                done += take;
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is not available", e);
        }
        if (bits % 8 != 0) {
            out[0] &= (byte) ((1 << (bits % 8)) - 1);
        }
        return out;
    }

    private static byte[] terminatedLabel(String label) {
        byte[] ascii = label.getBytes(StandardCharsets.US_ASCII);
        if (ascii[ascii.length - 1] == 0) {
            return ascii;
        }
        return Arrays.copyOf(ascii, ascii.length + 1);
    }

    private static byte[] u32(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }
}
