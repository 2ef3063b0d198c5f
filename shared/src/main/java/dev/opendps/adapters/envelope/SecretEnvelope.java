package dev.opendps.adapters.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.adapters.DocumentCodec;
import dev.opendps.adapters.DocumentProtection;
import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.domain.port.SecretProtectionException;
import dev.opendps.wire.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of the secrets in stored documents. Each secret string becomes
 * {@code {"enc":"v1","kek":"local:1","dk":"<wrapped data key>","iv":"…","ct":"…"}}: AES-256-GCM of the
 * UTF-8 text under a data key, the data key wrapped by the {@link KeyEncryptionKey} version named beside it.
 *
 * <p>Data keys are per process, not per document: one is made, wrapped once and used for every secret sealed
 * in the next {@link #DEFAULT_DATA_KEY_LIFETIME} (or {@link #MAX_DATA_KEY_USES} secrets, well inside AES-GCM's
 * limit for random IVs), then replaced, and at once when the KEK's current version changes (rotation). So the
 * KEK is off the write path; unwrapped data keys are cached for reads, bounded in size
 * ({@link #DEFAULT_CACHE_SIZE}) and time ({@link #DEFAULT_UNWRAPPED_LIFETIME}), so it is off the read path too.
 * The cache outlives a data key's sealing time because stored documents keep the data key they were written
 * with: a store written over weeks holds thousands, and with Key Vault each first read of one is a call to the
 * vault. The secret's field path is the GCM associated data, so a sealed value moved to another field does not
 * open.
 */
public final class SecretEnvelope implements DocumentProtection {
    /** The value of {@code enc} this class writes and reads. */
    public static final String FORMAT = "v1";
    public static final Duration DEFAULT_DATA_KEY_LIFETIME = Duration.ofMinutes(5);
    /** How long an unwrapped data key is kept for reading. */
    public static final Duration DEFAULT_UNWRAPPED_LIFETIME = Duration.ofHours(1);
    /** Unwrapped data keys kept at most (a few hundred bytes each). */
    public static final int DEFAULT_CACHE_SIZE = 4096;
    static final long MAX_DATA_KEY_USES = 1L << 24;

    private static final int DATA_KEY_BYTES = 32;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

    private final KeyEncryptionKey kek;
    private final Clock clock;
    private final Duration dataKeyLifetime;
    private final Duration unwrappedLifetime;
    private final int cacheSize;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, CachedKey> unwrapped;
    private DataKey current;

    public SecretEnvelope(KeyEncryptionKey kek) {
        this(kek, Clock.systemUTC(), DEFAULT_DATA_KEY_LIFETIME, DEFAULT_UNWRAPPED_LIFETIME, DEFAULT_CACHE_SIZE);
    }

    /** {@code dataKeyLifetime} bounds both how long a data key seals and how long an unwrapped one is cached. */
    public SecretEnvelope(KeyEncryptionKey kek, Clock clock, Duration dataKeyLifetime, int cacheSize) {
        this(kek, clock, dataKeyLifetime, dataKeyLifetime, cacheSize);
    }

    /**
     * @param dataKeyLifetime   how long one data key seals new secrets
     * @param unwrappedLifetime how long an unwrapped data key is cached for reading
     * @param cacheSize         how many unwrapped data keys are cached at most (least recently used go first)
     */
    public SecretEnvelope(KeyEncryptionKey kek, Clock clock, Duration dataKeyLifetime, Duration unwrappedLifetime,
                          int cacheSize) {
        this.kek = Objects.requireNonNull(kek, "kek");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.dataKeyLifetime = Objects.requireNonNull(dataKeyLifetime, "dataKeyLifetime");
        this.unwrappedLifetime = Objects.requireNonNull(unwrappedLifetime, "unwrappedLifetime");
        if (cacheSize < 1) {
            throw new IllegalArgumentException("cacheSize must be at least 1");
        }
        this.cacheSize = cacheSize;
        this.unwrapped = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CachedKey> eldest) {
                return size() > SecretEnvelope.this.cacheSize;
            }
        };
    }

    @Override
    public <T> DocumentCodec<T> protect(DocumentCodec<T> codec) {
        return codec.secretPaths().isEmpty() ? codec : new EnvelopeCodec<>(codec, this);
    }

    /** Whether a stored value is a sealed secret (anything else at a secret's path is legacy plaintext). */
    public static boolean isSealed(JsonNode value) {
        return value != null && value.isObject() && value.has("enc");
    }

    /** Seals {@code plaintext}; {@code context} (the field path) must be given again to open it. */
    public ObjectNode seal(String plaintext, String context) {
        DataKey dataKey = dataKeyForSealing();
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        byte[] ciphertext;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, dataKey.key(), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(associatedData(context));
            ciphertext = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
        ObjectNode sealed = Json.object();
        sealed.put("enc", FORMAT);
        sealed.put("kek", dataKey.kekVersion());
        sealed.put("dk", dataKey.wrapped());
        sealed.put("iv", B64.encodeToString(iv));
        sealed.put("ct", B64.encodeToString(ciphertext));
        return sealed;
    }

    /** Opens a value {@link #seal} made for the same {@code context}. */
    public String open(JsonNode sealed, String context) {
        String format = sealed.path("enc").asText();
        if (!FORMAT.equals(format)) {
            throw new SecretProtectionException("The secret at '" + context + "' is sealed in an unknown format '"
                    + format + "'.");
        }
        String kekVersion = text(sealed, "kek", context);
        String wrapped = text(sealed, "dk", context);
        byte[] iv = base64(sealed, "iv", context);
        byte[] ciphertext = base64(sealed, "ct", context);
        SecretKeySpec key = unwrap(kekVersion, wrapped, context);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(associatedData(context));
            return new String(cipher.doFinal(ciphertext), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new SecretProtectionException("The secret at '" + context + "' failed authentication: its"
                    + " ciphertext, IV or data key was altered, or it belongs to another field.");
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SecretProtectionException("The secret at '" + context + "' could not be decrypted ("
                    + e.getClass().getSimpleName() + ").");
        }
    }

    private synchronized DataKey dataKeyForSealing() {
        Instant now = clock.instant();
        String version = kek.currentVersion();
        DataKey key = current;
        if (key == null || !key.kekVersion().equals(version) || !now.isBefore(key.created().plus(dataKeyLifetime))
                || key.uses().incrementAndGet() > MAX_DATA_KEY_USES) {
            byte[] raw = new byte[DATA_KEY_BYTES];
            random.nextBytes(raw);
            KeyEncryptionKey.WrappedKey wrapped = kek.wrap(raw);
            key = new DataKey(new SecretKeySpec(raw, "AES"), wrapped.version(),
                    B64.encodeToString(wrapped.wrapped()), now, new AtomicLong(1));
            Arrays.fill(raw, (byte) 0);
            current = key;
            cache(cacheKey(key.kekVersion(), key.wrapped()), key.key(), now);
        }
        return key;
    }

    private SecretKeySpec unwrap(String kekVersion, String wrapped, String context) {
        String cacheKey = cacheKey(kekVersion, wrapped);
        Instant now = clock.instant();
        synchronized (unwrapped) {
            CachedKey cached = unwrapped.get(cacheKey);
            if (cached != null && now.isBefore(cached.expires())) {
                return cached.key();
            }
            unwrapped.remove(cacheKey);
        }
        byte[] wrappedBytes;
        try {
            wrappedBytes = B64_DECODER.decode(wrapped);
        } catch (IllegalArgumentException e) {
            throw new SecretProtectionException("The secret at '" + context + "' has a data key that is not base64.");
        }
        byte[] raw = kek.unwrap(kekVersion, wrappedBytes);
        if (raw.length != DATA_KEY_BYTES) {
            throw new SecretProtectionException("The secret at '" + context + "' has a data key of " + raw.length
                    + " bytes, not " + DATA_KEY_BYTES + ".");
        }
        SecretKeySpec key = new SecretKeySpec(raw, "AES");
        Arrays.fill(raw, (byte) 0);
        cache(cacheKey, key, now);
        return key;
    }

    private void cache(String cacheKey, SecretKeySpec key, Instant now) {
        synchronized (unwrapped) {
            unwrapped.put(cacheKey, new CachedKey(key, now.plus(unwrappedLifetime)));
        }
    }

    /** How many unwrapped data keys are cached (tests). */
    int cachedDataKeys() {
        synchronized (unwrapped) {
            return unwrapped.size();
        }
    }

    private static String cacheKey(String kekVersion, String wrapped) {
        return kekVersion + "/" + wrapped;
    }

    private static byte[] associatedData(String context) {
        return ("opendps-secret:" + FORMAT + ":" + context).getBytes(StandardCharsets.UTF_8);
    }

    private static String text(JsonNode sealed, String field, String context) {
        JsonNode value = sealed.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new SecretProtectionException("The secret at '" + context + "' has no '" + field + "'.");
        }
        return value.asText();
    }

    private static byte[] base64(JsonNode sealed, String field, String context) {
        try {
            return B64_DECODER.decode(text(sealed, field, context));
        } catch (IllegalArgumentException e) {
            throw new SecretProtectionException("The secret at '" + context + "' has a '" + field
                    + "' that is not base64.");
        }
    }

    private record DataKey(SecretKeySpec key, String kekVersion, String wrapped, Instant created, AtomicLong uses) {
    }

    private record CachedKey(SecretKeySpec key, Instant expires) {
    }
}
