package dev.opendps.adapters.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.domain.port.SecretProtectionException;
import dev.opendps.wire.Json;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * One pass that moves stored secrets to the key-encryption key's current version without decrypting them: in
 * each sealed value ({@link SecretEnvelope}'s {@code {"enc":"v1","kek":…,"dk":…,"iv":…,"ct":…}}) whose
 * {@code kek} is not the current version, the data key is unwrapped under its old version and wrapped again
 * under the current one; {@code iv} and {@code ct} stay as they are, so the record itself does not change.
 * This is what rotating the KEK does to what is already stored, and how secrets move from one KEK holder to
 * another (the local key file to Key Vault): afterwards the old version is needed no more.
 *
 * <p>Data keys are shared by many secrets, so each distinct wrapped data key is re-wrapped once per pass. A
 * value whose data key cannot be unwrapped (its version's holder is gone, or it was altered) is left as it is
 * and {@linkplain #unreadable() counted}; a KEK that cannot be reached stops the pass
 * ({@link dev.opendps.domain.port.StoreUnavailableException}), and running it again continues.
 */
public final class DataKeyRewrap {
    private static final Logger LOG = Logger.getLogger(DataKeyRewrap.class.getName());
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

    private final KeyEncryptionKey kek;
    private final String target;
    private final Map<String, KeyEncryptionKey.WrappedKey> rewrapped = new ConcurrentHashMap<>();
    private final AtomicLong secrets = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();

    public DataKeyRewrap(KeyEncryptionKey kek) {
        this.kek = Objects.requireNonNull(kek, "kek");
        this.target = kek.currentVersion();
    }

    /** The version secrets are moved to: the KEK's current version when the pass began. */
    public String target() {
        return target;
    }

    /**
     * The stored document with every sealed value's data key wrapped under {@link #target()}, or null if none
     * needed it (the caller writes nothing then).
     */
    public String apply(String document) {
        if (document == null || !document.contains("\"enc\"")) {
            return null;
        }
        ObjectNode root = Json.parseStored(document);
        return visit(root) ? Json.string(root) : null;
    }

    /** Sealed values whose data key this pass re-wrapped. */
    public long secrets() {
        return secrets.get();
    }

    /** Distinct data keys re-wrapped (each unwrapped and wrapped once). */
    public long dataKeys() {
        return rewrapped.size();
    }

    /** Sealed values left under their old version because their data key could not be unwrapped. */
    public long unreadable() {
        return unreadable.get();
    }

    private boolean visit(JsonNode node) {
        boolean changed = false;
        if (node instanceof ObjectNode object) {
            if (SecretEnvelope.isSealed(object)) {
                return rewrap(object);
            }
            for (JsonNode child : object) {
                changed |= visit(child);
            }
        } else if (node != null && node.isArray()) {
            for (JsonNode element : node) {
                changed |= visit(element);
            }
        }
        return changed;
    }

    private boolean rewrap(ObjectNode sealed) {
        JsonNode version = sealed.get("kek");
        JsonNode wrapped = sealed.get("dk");
        if (!SecretEnvelope.FORMAT.equals(sealed.path("enc").asText()) || version == null || !version.isTextual()
                || wrapped == null || !wrapped.isTextual() || version.asText().equals(target)) {
            return false;
        }
        KeyEncryptionKey.WrappedKey moved;
        try {
            moved = rewrapped.computeIfAbsent(version.asText() + "/" + wrapped.asText(),
                    any -> rewrapDataKey(version.asText(), wrapped.asText()));
        } catch (SecretProtectionException e) {
            unreadable.incrementAndGet();
            LOG.warning("A secret stays sealed under " + version.asText() + ": " + e.getMessage());
            return false;
        }
        sealed.put("kek", moved.version());
        sealed.put("dk", B64.encodeToString(moved.wrapped()));
        secrets.incrementAndGet();
        return true;
    }

    private KeyEncryptionKey.WrappedKey rewrapDataKey(String version, String wrapped) {
        byte[] encrypted;
        try {
            encrypted = B64_DECODER.decode(wrapped);
        } catch (IllegalArgumentException e) {
            throw new SecretProtectionException("A data key wrapped under '" + version + "' is not base64.");
        }
        byte[] raw = kek.unwrap(version, encrypted);
        try {
            return kek.wrap(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }
}
