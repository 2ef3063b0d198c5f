package dev.opendps.allocation.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.config.AppSettings;
import dev.opendps.wire.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Strict reading of configuration and records documents: every mistake is an {@link InvalidDocumentException}
 * naming the setting or field, so a misconfigured function refuses with a reason instead of failing with a 500.
 */
public final class ConfigJson {
    private ConfigJson() {
    }

    /**
     * The JSON object a setting holds: inline when the value starts with '{', else read from the file the value
     * names. Empty when the setting is unset or blank.
     */
    public static Optional<ObjectNode> fromSetting(AppSettings settings, AllocationSetting setting) {
        Optional<String> value = settings.find(setting.key()).or(() -> Optional.of(setting.defaultValue()))
                .filter(v -> !v.isBlank());
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String text = value.get();
        if (text.startsWith("{")) {
            return Optional.of(parseObject(text, setting.key()));
        }
        Path file = Path.of(text);
        try {
            return Optional.of(parseObject(Files.readString(file), setting.key() + " (file " + file + ")"));
        } catch (NoSuchFileException e) {
            throw new InvalidDocumentException(setting.key() + " names a file that does not exist: " + file);
        } catch (IOException e) {
            throw new InvalidDocumentException(setting.key() + " names a file that cannot be read: " + file
                    + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Parses a document that must be one JSON object; {@code what} names it in the error. */
    public static ObjectNode parseObject(String text, String what) {
        JsonNode node;
        try {
            node = Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidDocumentException(what + " is not valid JSON (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new InvalidDocumentException(what + " must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /** The field as an object, or null when absent or null. */
    public static ObjectNode object(JsonNode parent, String field, String where) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new InvalidDocumentException(where + "." + field + " must be a JSON object");
        }
        return (ObjectNode) value;
    }

    /** The field as a string, or null when absent or null. */
    public static String string(JsonNode parent, String field, String where) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidDocumentException(where + "." + field + " must be a string");
        }
        return value.asText();
    }

    /** The field as a list of non-blank strings; empty when absent. */
    public static List<String> strings(JsonNode parent, String field, String where) {
        JsonNode value = parent.get(field);
        List<String> result = new ArrayList<>();
        if (value == null || value.isNull()) {
            return result;
        }
        if (!value.isArray()) {
            throw new InvalidDocumentException(where + "." + field + " must be an array of strings");
        }
        for (JsonNode item : value) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw new InvalidDocumentException(where + "." + field + " must be an array of non-empty strings");
            }
            result.add(item.asText().trim());
        }
        return result;
    }
}
