package dev.opendps.domain;

import dev.opendps.domain.auth.SharedAccessSignature;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Symmetric-key attestation keys (dps-protocol.md §2.1, §4.4). Messages never contain a key. */
public final class SymmetricKeys {
    /** Length in bytes of generated keys. */
    public static final int GENERATED_KEY_BYTES = 32;
    public static final int MIN_KEY_BYTES = 16;
    public static final int MAX_KEY_BYTES = 64;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    });

    private SymmetricKeys() {
    }

    /** A new key: base64 of 32 random bytes. */
    public static String generate() {
        byte[] key = new byte[GENERATED_KEY_BYTES];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /**
     * Checks that the key is base64 of 16 to 64 bytes inclusive.
     *
     * @throws ProvisioningException {@link ErrorCode#INVALID_SYMMETRIC_KEY}
     */
    public static void validate(String base64Key) {
        byte[] key = SharedAccessSignature.decodeKey(base64Key);
        if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
            throw new ProvisioningException(ErrorCode.INVALID_SYMMETRIC_KEY, "The key decodes to " + key.length
                    + " bytes; a symmetric key must be base64 of " + MIN_KEY_BYTES + " to " + MAX_KEY_BYTES + " bytes.");
        }
    }

    /**
     * The device key of a group enrollment: {@code base64(HMAC-SHA256(base64decode(groupKey), UTF-8(registrationId)))}.
     *
     * @throws ProvisioningException {@link ErrorCode#INVALID_SYMMETRIC_KEY} if the group key is not base64
     */
    public static String deriveDeviceKey(String groupKeyBase64, String registrationId) {
        return Base64.getEncoder().encodeToString(
                deriveDeviceKey(SharedAccessSignature.decodeKey(groupKeyBase64), registrationId));
    }

    /** The same derivation on a decoded group key, giving the raw device key (for verifying tokens). */
    public static byte[] deriveDeviceKey(byte[] groupKey, String registrationId) {
        Objects.requireNonNull(registrationId, "registrationId");
        Mac mac = MAC.get();
        try {
            mac.init(new SecretKeySpec(groupKey, "HmacSHA256"));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 rejected the key", e);
        }
        return mac.doFinal(registrationId.getBytes(StandardCharsets.UTF_8));
    }
}
