package dev.opendps.allocation.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.allocation.config.ConfigJson;
import dev.opendps.allocation.config.InvalidDocumentException;
import dev.opendps.wire.Json;
import java.util.Iterator;
import java.util.Map;

/**
 * The twin a webhook hands back in {@code initialTwin} (dps-protocol.md §5): tags and desired properties.
 * Immutable: every operation returns a new twin.
 */
public final class InitialTwin {
    private static final InitialTwin EMPTY = new InitialTwin(Json.object(), Json.object());

    private final ObjectNode tags;
    private final ObjectNode desired;

    private InitialTwin(ObjectNode tags, ObjectNode desired) {
        this.tags = tags;
        this.desired = desired;
    }

    public static InitialTwin empty() {
        return EMPTY;
    }

    /**
     * The twin a configuration declares, {@code {"tags":{…},"properties":{"desired":{…}}}}; wrong shapes are
     * configuration errors naming {@code where}. Null or absent is the empty twin.
     */
    public static InitialTwin fromConfig(JsonNode twin, String where) {
        if (twin == null || twin.isNull()) {
            return EMPTY;
        }
        if (!twin.isObject()) {
            throw new InvalidDocumentException(where + " must be a JSON object");
        }
        ObjectNode tags = ConfigJson.object(twin, "tags", where);
        ObjectNode properties = ConfigJson.object(twin, "properties", where);
        ObjectNode desired = properties == null ? null : ConfigJson.object(properties, "desired", where + ".properties");
        return new InitialTwin(withoutSystemProperties(tags), withoutSystemProperties(desired));
    }

    /**
     * The enrollment's initial twin as DPS sends it in the request; whatever is not in the expected shape is
     * ignored (the request is DPS's, not ours to reject), and the hub's {@code $metadata}/{@code $version} dropped.
     */
    public static InitialTwin fromRequest(JsonNode twin) {
        if (twin == null || !twin.isObject()) {
            return EMPTY;
        }
        JsonNode tags = twin.get("tags");
        JsonNode desired = twin.path("properties").get("desired");
        return new InitialTwin(withoutSystemProperties(tags instanceof ObjectNode t ? t : null),
                withoutSystemProperties(desired instanceof ObjectNode d ? d : null));
    }

    /** This twin with {@code top}'s tags and desired properties merged over it, objects merged field by field. */
    public InitialTwin overlaidWith(InitialTwin top) {
        ObjectNode mergedTags = tags.deepCopy();
        merge(mergedTags, top.tags);
        ObjectNode mergedDesired = desired.deepCopy();
        merge(mergedDesired, top.desired);
        return new InitialTwin(mergedTags, mergedDesired);
    }

    /** This twin with one more tag (replacing any tag of that name). */
    public InitialTwin withTag(String name, String value) {
        ObjectNode copy = tags.deepCopy();
        copy.put(name, value);
        return new InitialTwin(copy, desired);
    }

    public ObjectNode tags() {
        return tags.deepCopy();
    }

    public ObjectNode desiredProperties() {
        return desired.deepCopy();
    }

    /** {@code {"tags":{…},"properties":{"desired":{…}}}}. */
    public ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.set("tags", tags.deepCopy());
        node.putObject("properties").set("desired", desired.deepCopy());
        return node;
    }

    private static void merge(ObjectNode target, ObjectNode top) {
        Iterator<Map.Entry<String, JsonNode>> fields = top.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode existing = target.get(field.getKey());
            if (existing instanceof ObjectNode e && field.getValue() instanceof ObjectNode t) {
                merge(e, t);
            } else {
                target.set(field.getKey(), field.getValue().deepCopy());
            }
        }
    }

    /** Twin names starting with '$' are the hub's ({@code $metadata}, {@code $version}): never ours to set. */
    private static ObjectNode withoutSystemProperties(ObjectNode collection) {
        ObjectNode copy = Json.object();
        if (collection != null) {
            collection.fields().forEachRemaining(field -> {
                if (!field.getKey().startsWith("$")) {
                    copy.set(field.getKey(), field.getValue().deepCopy());
                }
            });
        }
        return copy;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InitialTwin t && tags.equals(t.tags) && desired.equals(t.desired);
    }

    @Override
    public int hashCode() {
        return tags.hashCode() * 31 + desired.hashCode();
    }

    @Override
    public String toString() {
        return "InitialTwin" + toJson();
    }
}
