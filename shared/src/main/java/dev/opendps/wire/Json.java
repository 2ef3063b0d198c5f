package dev.opendps.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The one JSON configuration of the project: tree-based reading and writing with strict syntax. */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
            .configure(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, true);

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /** Parses a request body; malformed JSON is the client's mistake (400012, §1.8), never a 500. */
    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new ProvisioningException(ErrorCode.DESERIALIZATION_ERROR, "Deserialization error: the body is empty.");
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new ProvisioningException(ErrorCode.DESERIALIZATION_ERROR, "Deserialization error: the body is empty.");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ProvisioningException(ErrorCode.DESERIALIZATION_ERROR,
                    "Deserialization error: malformed JSON at line " + e.getLocation().getLineNr()
                            + ", column " + e.getLocation().getColumnNr() + ".");
        } catch (IOException e) {
            throw new ProvisioningException(ErrorCode.DESERIALIZATION_ERROR, "Deserialization error.");
        }
    }

    /** Parses a body that must be a JSON object. */
    public static ObjectNode parseObject(byte[] body) {
        JsonNode node = parse(body);
        if (!node.isObject()) {
            throw new ProvisioningException(ErrorCode.DESERIALIZATION_ERROR,
                    "Deserialization error: the body must be a JSON object.");
        }
        return (ObjectNode) node;
    }

    /** Parses a stored document; failures here are server faults, not client mistakes. */
    public static ObjectNode parseStored(String document) {
        try {
            return (ObjectNode) MAPPER.readTree(document);
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("stored document is not a JSON object", e);
        }
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String string(JsonNode node) {
        return new String(bytes(node), StandardCharsets.UTF_8);
    }
}
