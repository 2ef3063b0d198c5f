package dev.opendps.domain.auth;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A parsed {@code SharedAccessSignature sr=…&sig=…&se=…[&skn=…]} token (dps-protocol.md §2.1, §4.1).
 *
 * <p>SDKs disagree on how {@code sr} is encoded, but each signs exactly the {@code sr} it sends, so
 * {@link #isSignedBy(byte[])} tries the raw {@code sr} first and then a small set of re-encodings of it.
 * Instances are immutable and thread-safe. Neither error messages nor {@link #toString()} contain the signature.
 */
public final class SharedAccessSignature {
    private static final String PREFIX = "SharedAccessSignature";
    private static final String HMAC = "HmacSHA256";
    private static final int HMAC_LENGTH = 32;
    /** 9999-12-31T23:59:59Z: bounds {@code se} so that it always fits an {@link Instant}. */
    private static final long MAX_EXPIRY_SECONDS = 253_402_300_799L;
    private static final char[] HEX_LOWER = "0123456789abcdef".toCharArray();
    private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();

    /** The characters besides ASCII letters and digits that a URL encoder of some SDK leaves as they are. */
    private enum EncodingStyle {
        /** azure-c-shared-utility {@code URL_EncodeString}. */
        C_UTILITY("!()*-._", false),
        /** JavaScript {@code encodeURIComponent}. */
        URI_COMPONENT("-_.!~*'()", false),
        /** Python {@code urllib.parse.quote(s, safe="")}. */
        PYTHON_QUOTE("-_.~", false),
        /** .NET {@code WebUtility.UrlEncode}. */
        WEB_UTILITY("-_.!*()", true),
        /** Java {@code URLEncoder.encode}. */
        JAVA_URL_ENCODER("-_.*", true);

        private final boolean[] safe = new boolean[128];
        private final boolean spaceAsPlus;

        EncodingStyle(String safeSpecials, boolean spaceAsPlus) {
            for (char c = '0'; c <= '9'; c++) {
                safe[c] = true;
            }
            for (char c = 'a'; c <= 'z'; c++) {
                safe[c] = true;
                safe[c - 'a' + 'A'] = true;
            }
            for (int i = 0; i < safeSpecials.length(); i++) {
                safe[safeSpecials.charAt(i)] = true;
            }
            this.spaceAsPlus = spaceAsPlus;
        }
    }

    /** The characters on which the encoders of {@link EncodingStyle} disagree. */
    private static final String STYLE_DEPENDENT_CHARACTERS = "!~*'() ";

    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(SharedAccessSignature::newMac);

    private final String sr;
    private final String resourceDecoded;
    private final String se;
    /** {@code "\n" + se} as UTF-8: the fixed tail of every string-to-sign. */
    private final byte[] signedSuffix;
    private final Instant expiry;
    private final String keyName;
    private final byte[] signature;
    private volatile Set<String> alternatives;

    private SharedAccessSignature(String sr, String resourceDecoded, String se, Instant expiry, String keyName,
                                  byte[] signature) {
        this.sr = sr;
        this.resourceDecoded = resourceDecoded;
        this.se = se;
        this.signedSuffix = ("\n" + se).getBytes(StandardCharsets.UTF_8);
        this.expiry = expiry;
        this.keyName = keyName;
        this.signature = signature;
    }

    /**
     * Parses an {@code Authorization} header value. The prefix is case-insensitive, fields may come in any order
     * and their names are case-insensitive; unknown fields are ignored; {@code skn} may be empty or missing.
     *
     * @throws ProvisioningException {@link ErrorCode#UNAUTHORIZED} if the value is not a well-formed token
     */
    public static SharedAccessSignature parse(String authorizationHeader) {
        if (authorizationHeader == null) {
            throw unauthorized("The Authorization header is missing.");
        }
        String value = authorizationHeader.strip();
        if (!value.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                || value.length() == PREFIX.length()
                || !Character.isWhitespace(value.charAt(PREFIX.length()))) {
            throw unauthorized("The Authorization header is not a SharedAccessSignature token.");
        }
        String fields = value.substring(PREFIX.length() + 1).strip();

        String sr = null;
        String sig = null;
        String se = null;
        String skn = null;
        int start = 0;
        int length = fields.length();
        while (start <= length) {
            int end = fields.indexOf('&', start);
            if (end < 0) {
                end = length;
            }
            if (end > start) {
                int eq = fields.indexOf('=', start);
                if (eq < 0 || eq > end) {
                    throw unauthorized("The SharedAccessSignature token has a field without '='.");
                }
                String name = fields.substring(start, eq).strip();
                String fieldValue = fields.substring(eq + 1, end).strip();
                if (name.equalsIgnoreCase("sr")) {
                    sr = once(sr, fieldValue, "sr");
                } else if (name.equalsIgnoreCase("sig")) {
                    sig = once(sig, fieldValue, "sig");
                } else if (name.equalsIgnoreCase("se")) {
                    se = once(se, fieldValue, "se");
                } else if (name.equalsIgnoreCase("skn")) {
                    skn = once(skn, fieldValue, "skn");
                }
            }
            start = end + 1;
        }
        if (sr == null || sr.isEmpty()) {
            throw unauthorized("The SharedAccessSignature token has no 'sr' field.");
        }
        if (sig == null || sig.isEmpty()) {
            throw unauthorized("The SharedAccessSignature token has no 'sig' field.");
        }
        if (se == null || se.isEmpty()) {
            throw unauthorized("The SharedAccessSignature token has no 'se' field.");
        }
        String resourceDecoded = percentDecodeOrNull(sr);
        if (resourceDecoded == null) {
            throw unauthorized("The 'sr' field of the SharedAccessSignature token is not valid percent-encoding.");
        }
        Instant expiry = parseExpiry(se);
        byte[] signature = decodeSignature(sig);
        String keyName = skn == null ? null : percentDecodeOrNull(skn);
        if (skn != null && keyName == null) {
            throw unauthorized("The 'skn' field of the SharedAccessSignature token is not valid percent-encoding.");
        }
        return new SharedAccessSignature(sr, resourceDecoded, se, expiry, keyName, signature);
    }

    /**
     * Produces the canonical token: {@code sr} is the lower-cased resource URI, percent-encoded with lower-case hex
     * (as the C SDK and the DPS docs do), {@code sig} is percent-encoded likewise, fields in the order sr, sig, se,
     * skn; {@code skn} is omitted when {@code keyName} is null.
     */
    public static String sign(String resourceUri, byte[] key, Instant expiry, String keyName) {
        Objects.requireNonNull(resourceUri, "resourceUri");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(expiry, "expiry");
        if (key.length == 0) {
            throw new IllegalArgumentException("The key must not be empty.");
        }
        long seconds = expiry.getEpochSecond();
        if (seconds < 0 || seconds > MAX_EXPIRY_SECONDS) {
            throw new IllegalArgumentException("The expiry is out of range.");
        }
        String sr = percentEncode(resourceUri.toLowerCase(Locale.ROOT), EncodingStyle.C_UTILITY, HEX_LOWER);
        String se = Long.toString(seconds);
        byte[] mac = hmac(key, sr, se);
        String sig = percentEncode(Base64.getEncoder().encodeToString(mac), EncodingStyle.C_UTILITY, HEX_LOWER);
        StringBuilder token = new StringBuilder(PREFIX.length() + sr.length() + sig.length() + 48)
                .append(PREFIX).append(" sr=").append(sr)
                .append("&sig=").append(sig)
                .append("&se=").append(se);
        if (keyName != null) {
            token.append("&skn=").append(percentEncode(keyName, EncodingStyle.C_UTILITY, HEX_LOWER));
        }
        return token.toString();
    }

    /**
     * Decodes a base64 key (surrounding whitespace ignored).
     *
     * @throws ProvisioningException {@link ErrorCode#INVALID_SYMMETRIC_KEY} if it is null, empty or not base64;
     *                               the message never contains the key
     */
    public static byte[] decodeKey(String base64Key) {
        if (base64Key == null || base64Key.isBlank()) {
            throw new ProvisioningException(ErrorCode.INVALID_SYMMETRIC_KEY, "The key is missing or empty.");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key.strip());
        } catch (IllegalArgumentException e) {
            throw new ProvisioningException(ErrorCode.INVALID_SYMMETRIC_KEY, "The key is not valid base64.");
        }
        if (key.length == 0) {
            throw new ProvisioningException(ErrorCode.INVALID_SYMMETRIC_KEY, "The key is empty.");
        }
        return key;
    }

    /** The {@code sr} field exactly as sent. */
    public String sr() {
        return sr;
    }

    /** The {@code sr} field percent-decoded ({@code +} is kept as is). */
    public String resourceDecoded() {
        return resourceDecoded;
    }

    /** The {@code se} field exactly as sent. */
    public String se() {
        return se;
    }

    public Instant expiry() {
        return expiry;
    }

    /** The percent-decoded {@code skn} field: null when missing, possibly empty. */
    public String keyName() {
        return keyName;
    }

    /** Whether {@code now} is at or past the expiry plus {@code allowedSkew}. */
    public boolean isExpired(Instant now, Duration allowedSkew) {
        return !now.isBefore(expiry.plus(allowedSkew));
    }

    /** Whether the expiry lies more than {@code maxLifetime} after {@code now}. */
    public boolean lifetimeExceeds(Instant now, Duration maxLifetime) {
        return expiry.isAfter(now.plus(maxLifetime));
    }

    /**
     * Whether the signature is HMAC-SHA256 under {@code key} of one of the candidate strings-to-sign followed by
     * {@code "\n"} and the raw {@code se}: the raw {@code sr}, then its decoded form and the re-encodings of it
     * (lower- and upper-case hex, each SDK's set of unencoded characters), and the lower-cased variants of these.
     * Each distinct candidate is signed once; comparisons are constant-time.
     */
    public boolean isSignedBy(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length == 0) {
            return false;
        }
        Mac mac = initMac(key);
        if (matches(mac, sr)) {
            return true;
        }
        for (String candidate : alternativeCandidates()) {
            if (matches(mac, candidate)) {
                return true;
            }
        }
        return false;
    }

    /** {@link #isSignedBy(byte[])} for a base64 key as enrollments and policies hold it; a null key signs nothing. */
    public boolean isSignedByKey(String base64Key) {
        return base64Key != null && isSignedBy(decodeKey(base64Key));
    }

    /**
     * Whether the signature is HMAC-SHA256 under {@code key} of the {@code sr} exactly as sent: what every SDK
     * signs (§2.1). Searching many keys for the signer tries this cheap check on all of them first.
     */
    public boolean isSignedAsSentBy(byte[] key) {
        Objects.requireNonNull(key, "key");
        return key.length > 0 && matches(initMac(key), sr);
    }

    @Override
    public String toString() {
        return "SharedAccessSignature[sr=" + sr + ", se=" + se + ", skn=" + keyName + ", sig=redacted]";
    }

    /** Computed once per token: a token may be checked against many keys (group search). */
    private Set<String> alternativeCandidates() {
        Set<String> cached = alternatives;
        if (cached == null) {
            cached = computeAlternativeCandidates();
            alternatives = cached;
        }
        return cached;
    }

    private Set<String> computeAlternativeCandidates() {
        String decoded = resourceDecoded;
        String decodedLower = decoded.toLowerCase(Locale.ROOT);
        Set<String> candidates = new LinkedHashSet<>();
        candidates.add(decoded);
        addEncodings(candidates, decoded);
        candidates.add(sr.toLowerCase(Locale.ROOT));
        candidates.add(decodedLower);
        addEncodings(candidates, decodedLower);
        candidates.remove(sr);
        return candidates;
    }

    private static void addEncodings(Set<String> candidates, String decoded) {
        if (!containsAny(decoded, STYLE_DEPENDENT_CHARACTERS)) {
            // All styles agree, so one encoding per hex case suffices.
            candidates.add(percentEncode(decoded, EncodingStyle.C_UTILITY, HEX_LOWER));
            candidates.add(percentEncode(decoded, EncodingStyle.C_UTILITY, HEX_UPPER));
            return;
        }
        for (EncodingStyle style : EncodingStyle.values()) {
            candidates.add(percentEncode(decoded, style, HEX_LOWER));
            candidates.add(percentEncode(decoded, style, HEX_UPPER));
        }
    }

    private boolean matches(Mac mac, String candidate) {
        mac.update(candidate.getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(mac.doFinal(signedSuffix), signature);
    }

    private static byte[] hmac(byte[] key, String sr, String se) {
        Mac mac = initMac(key);
        mac.update(sr.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) '\n');
        mac.update(se.getBytes(StandardCharsets.UTF_8));
        return mac.doFinal();
    }

    /** Returns this thread's Mac, initialised with {@code key}; it must not escape the calling thread. */
    private static Mac initMac(byte[] key) {
        Mac mac = MAC.get();
        try {
            mac.init(new SecretKeySpec(key, HMAC));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 rejected the key", e);
        }
        return mac;
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance(HMAC);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private static String once(String previous, String value, String name) {
        if (previous != null) {
            throw unauthorized("The SharedAccessSignature token has more than one '" + name + "' field.");
        }
        return value;
    }

    private static Instant parseExpiry(String se) {
        if (se.length() > 12) {
            throw unauthorized("The 'se' field of the SharedAccessSignature token is out of range.");
        }
        long seconds = 0;
        for (int i = 0; i < se.length(); i++) {
            char c = se.charAt(i);
            if (c < '0' || c > '9') {
                throw unauthorized("The 'se' field of the SharedAccessSignature token is not a number of seconds.");
            }
            seconds = seconds * 10 + (c - '0');
        }
        if (seconds > MAX_EXPIRY_SECONDS) {
            throw unauthorized("The 'se' field of the SharedAccessSignature token is out of range.");
        }
        return Instant.ofEpochSecond(seconds);
    }

    /** Percent-decodes, then base64-decodes, tolerating the url-safe alphabet, missing padding and '+' sent as ' '. */
    private static byte[] decodeSignature(String sig) {
        String decoded = percentDecodeOrNull(sig);
        if (decoded == null) {
            throw unauthorized("The 'sig' field of the SharedAccessSignature token is not valid percent-encoding.");
        }
        String base64 = decoded;
        if (base64.indexOf('-') >= 0 || base64.indexOf('_') >= 0 || base64.indexOf(' ') >= 0) {
            base64 = base64.replace('-', '+').replace('_', '/').replace(' ', '+');
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw unauthorized("The 'sig' field of the SharedAccessSignature token is not base64.");
        }
        if (signature.length != HMAC_LENGTH) {
            throw unauthorized("The 'sig' field of the SharedAccessSignature token is not an HMAC-SHA256 value.");
        }
        return signature;
    }

    /** Decodes {@code %XX} escapes as UTF-8; returns null on a malformed escape or invalid UTF-8. */
    static String percentDecodeOrNull(String s) {
        int first = s.indexOf('%');
        if (first < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        byte[] head = s.substring(0, first).getBytes(StandardCharsets.UTF_8);
        bytes.write(head, 0, head.length);
        int i = first;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write((hi << 4) | lo);
                i += 3;
            } else {
                int next = s.indexOf('%', i);
                if (next < 0) {
                    next = s.length();
                }
                byte[] chunk = s.substring(i, next).getBytes(StandardCharsets.UTF_8);
                bytes.write(chunk, 0, chunk.length);
                i = next;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String percentEncode(String s, EncodingStyle style, char[] hex) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 128 && style.safe[c]) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length() + 16);
                out.append(s, 0, i);
            }
            if (c == ' ' && style.spaceAsPlus) {
                out.append('+');
            } else if (c < 128) {
                appendEscape(out, c, hex);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
                for (byte b : s.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                    appendEscape(out, b & 0xFF, hex);
                }
                i = end - 1;
            }
        }
        return out == null ? s : out.toString();
    }

    private static void appendEscape(StringBuilder out, int b, char[] hex) {
        out.append('%').append(hex[b >> 4]).append(hex[b & 0x0F]);
    }

    private static boolean containsAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static ProvisioningException unauthorized(String message) {
        return new ProvisioningException(ErrorCode.UNAUTHORIZED, message);
    }
}
