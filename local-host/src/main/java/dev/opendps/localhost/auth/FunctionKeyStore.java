package dev.opendps.localhost.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.localhost.storage.OwnerOnlyFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Generates each app's keys on first start and keeps them in {@code <dataDir>/keys/<app>.json} (owner-only),
 * so clients configured once keep working across restarts. Keys from settings override the stored ones
 * without being written to disk.
 */
public final class FunctionKeyStore {

    private static final int KEY_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path keysDirectory;

    public FunctionKeyStore(Path dataDirectory) {
        this.keysDirectory = dataDirectory.resolve("keys");
    }

    public Path fileFor(String appName) {
        return keysDirectory.resolve(appName + ".json");
    }

    /**
     * Loads the app's stored keys, creating missing ones, then applies the overrides.
     *
     * @param functionKeyOverride replaces the default function key when not null/blank
     * @param masterKeyOverride   replaces the master key when not null/blank
     */
    public synchronized FunctionKeys loadOrCreate(String appName, String functionKeyOverride, String masterKeyOverride)
            throws IOException {
        Path file = fileFor(appName);
        ObjectNode stored = Files.exists(file) ? (ObjectNode) JSON.readTree(file.toFile()) : JSON.createObjectNode();
        boolean changed = false;
        for (String name : new String[] {"functionKey", "hostKey", "masterKey"}) {
            JsonNode value = stored.get(name);
            if (value == null || !value.isTextual() || value.asText().isBlank()) {
                stored.put(name, newKey());
                changed = true;
            }
        }
        if (changed) {
            OwnerOnlyFiles.createPrivateDirectory(keysDirectory);
            OwnerOnlyFiles.writeSecret(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(stored));
        }
        return new FunctionKeys(
                isSet(functionKeyOverride) ? functionKeyOverride : stored.get("functionKey").asText(),
                stored.get("hostKey").asText(),
                isSet(masterKeyOverride) ? masterKeyOverride : stored.get("masterKey").asText());
    }

    /** A random key: 32 bytes, base64url without padding (43 characters). */
    public static String newKey() {
        byte[] bytes = new byte[KEY_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
