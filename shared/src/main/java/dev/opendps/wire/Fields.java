package dev.opendps.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import java.util.ArrayList;
import java.util.List;

/** Typed reads of optional JSON fields: a field of the wrong type is a 400 naming the field, never a 500. */
final class Fields {
    private Fields() {
    }

    static JsonNode present(JsonNode parent, String name) {
        JsonNode value = parent == null ? null : parent.get(name);
        return value == null || value.isNull() ? null : value;
    }

    static String string(JsonNode parent, String name) {
        JsonNode value = present(parent, name);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw wrongType(name, "a string");
        }
        return value.asText();
    }

    static String requiredString(JsonNode parent, String name) {
        String value = string(parent, name);
        if (value == null || value.isEmpty()) {
            throw new ProvisioningException(ErrorCode.INVALID_ARGUMENT, "'" + name + "' is required.");
        }
        return value;
    }

    static Boolean bool(JsonNode parent, String name) {
        JsonNode value = present(parent, name);
        if (value == null) {
            return null;
        }
        if (!value.isBoolean()) {
            throw wrongType(name, "true or false");
        }
        return value.booleanValue();
    }

    static ObjectNode object(JsonNode parent, String name) {
        JsonNode value = present(parent, name);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            throw wrongType(name, "a JSON object");
        }
        return (ObjectNode) value;
    }

    static List<String> stringList(JsonNode parent, String name) {
        JsonNode value = present(parent, name);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            throw wrongType(name, "an array of strings");
        }
        List<String> result = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw wrongType(name, "an array of strings");
            }
            result.add(item.asText());
        }
        return result;
    }

    static void putIfNotNull(ObjectNode target, String name, String value) {
        if (value != null) {
            target.put(name, value);
        }
    }

    private static ProvisioningException wrongType(String name, String expected) {
        return new ProvisioningException(ErrorCode.INVALID_ARGUMENT, "'" + name + "' must be " + expected + ".");
    }
}
