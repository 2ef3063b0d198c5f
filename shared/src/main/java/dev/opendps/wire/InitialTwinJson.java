package dev.opendps.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import java.util.Iterator;
import java.util.Map;

/**
 * The initial twin {@code {"tags":{…},"properties":{"desired":{…}}}} (§4.4). Twin collections may carry
 * {@code $metadata}/{@code $version}, which are the hub's to set: they are dropped, everything else kept.
 */
public final class InitialTwinJson {
    private InitialTwinJson() {
    }

    public static ObjectNode normalize(ObjectNode twin) {
        ObjectNode result = Json.object();
        ObjectNode tags = Fields.object(twin, "tags");
        if (tags != null) {
            result.set("tags", withoutMetadata(tags));
        }
        ObjectNode properties = Fields.object(twin, "properties");
        if (properties != null) {
            ObjectNode desired = Fields.object(properties, "desired");
            ObjectNode out = result.putObject("properties");
            if (desired != null) {
                out.set("desired", withoutMetadata(desired));
            }
        }
        return result;
    }

    private static ObjectNode withoutMetadata(ObjectNode collection) {
        ObjectNode copy = collection.deepCopy();
        Iterator<Map.Entry<String, JsonNode>> fields = copy.fields();
        while (fields.hasNext()) {
            String name = fields.next().getKey();
            if (name.equals("$metadata") || name.equals("$version")) {
                fields.remove();
            } else if (name.startsWith("$")) {
                throw new ProvisioningException(ErrorCode.INVALID_ARGUMENT,
                        "Twin property names may not start with '$'.");
            }
        }
        return copy;
    }
}
