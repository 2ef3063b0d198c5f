package dev.opendps.adapters.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.opendps.adapters.DocumentCodec;
import dev.opendps.wire.Json;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A codec whose documents hold the inner codec's secrets sealed by a {@link SecretEnvelope}. Reading accepts
 * plaintext at a secret's path too (documents written before encryption); writing always seals, so such a
 * document is encrypted the next time it is written.
 */
final class EnvelopeCodec<T> implements DocumentCodec<T> {
    private final DocumentCodec<T> inner;
    private final SecretEnvelope envelope;
    private final List<String> paths;

    EnvelopeCodec(DocumentCodec<T> inner, SecretEnvelope envelope) {
        this.inner = inner;
        this.envelope = envelope;
        this.paths = List.copyOf(inner.secretPaths());
    }

    @Override
    public String encode(T record) {
        ObjectNode root = Json.parseStored(inner.encode(record));
        for (String path : paths) {
            visit(root, path.split("\\."), 0, path, (value, context) ->
                    value.isTextual() ? envelope.seal(value.asText(), context) : value);
        }
        return Json.string(root);
    }

    @Override
    public T decode(String document) {
        if (!document.contains("\"enc\"")) {
            return inner.decode(document); // nothing sealed: a legacy plaintext document
        }
        ObjectNode root = Json.parseStored(document);
        for (String path : paths) {
            visit(root, path.split("\\."), 0, path, (value, context) ->
                    SecretEnvelope.isSealed(value) ? TextNode.valueOf(envelope.open(value, context)) : value);
        }
        return inner.decode(Json.string(root));
    }

    @Override
    public List<String> secretPaths() {
        return paths;
    }

    /** Replaces each value at {@code segments[index..]} below {@code node} with what {@code change} makes of it. */
    private static void visit(JsonNode node, String[] segments, int index, String path,
                              BiFunction<JsonNode, String, JsonNode> change) {
        if (!(node instanceof ObjectNode object)) {
            return;
        }
        String segment = segments[index];
        boolean array = segment.endsWith("[]");
        String field = array ? segment.substring(0, segment.length() - 2) : segment;
        JsonNode child = object.get(field);
        if (child == null || child.isNull()) {
            return;
        }
        boolean last = index == segments.length - 1;
        if (array) {
            if (!(child instanceof ArrayNode elements)) {
                return;
            }
            for (int i = 0; i < elements.size(); i++) {
                if (last) {
                    elements.set(i, change.apply(elements.get(i), path));
                } else {
                    visit(elements.get(i), segments, index + 1, path, change);
                }
            }
        } else if (last) {
            object.set(field, change.apply(child, path));
        } else {
            visit(child, segments, index + 1, path, change);
        }
    }
}
