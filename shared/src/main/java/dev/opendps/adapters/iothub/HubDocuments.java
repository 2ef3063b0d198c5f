package dev.opendps.adapters.iothub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.adapters.RemoteText;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.RecordVersion;
import dev.opendps.wire.ETags;
import dev.opendps.wire.Json;
import dev.opendps.wire.StorageCodecs;
import dev.opendps.wire.Timestamps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/** IoT Hub's device and twin documents (dps-protocol.md §7) to and from {@link HubDevice}. */
final class HubDocuments {
    /** .NET ticks (100 ns) at the Unix epoch. */
    private static final long TICKS_AT_EPOCH = 621_355_968_000_000_000L;
    /** Ticks of 2000-01-01 and 2200-01-01: a generationId between them reads as a creation time. */
    private static final long EARLIEST_TICKS = 630_822_816_000_000_000L;
    private static final long LATEST_TICKS = 693_937_152_000_000_000L;

    private HubDocuments() {
    }

    /** The bare etag of a device or twin document. */
    static String etag(JsonNode document) {
        JsonNode etag = document.get("etag");
        return etag == null || etag.isNull() ? null : ETags.unquote(etag.asText());
    }

    /** Whether the twin is that of the identity with {@code deviceEtag}; a twin that does not say is taken as such. */
    static boolean twinBelongsTo(ObjectNode twin, String deviceEtag) {
        JsonNode own = twin.get("deviceEtag");
        return own == null || own.isNull() || Objects.equals(ETags.unquote(own.asText()), deviceEtag);
    }

    /**
     * The device as DPS sees it: identity from the registry, tags and desired properties from the twin
     * (without the hub's {@code $metadata} and {@code $version}; empty means none), the version from both.
     */
    static HubDevice hubDevice(String hubHostName, ObjectNode device, ObjectNode twin) {
        ObjectNode document = Json.object();
        document.put("hubHostName", hubHostName);
        for (String field : new String[] {"deviceId", "authentication", "capabilities", "status"}) {
            if (device.has(field)) {
                document.set(field, device.get(field));
            }
        }
        JsonNode tags = nonEmpty(twin.get("tags"));
        if (tags != null) {
            document.set("tags", tags);
        }
        JsonNode desired = nonEmpty(withoutMetadata(twin.path("properties").get("desired")));
        if (desired != null) {
            document.putObject("properties").set("desired", desired);
        }
        return StorageCodecs.readHubDeviceDocument(document).withVersion(version(device, twin));
    }

    /**
     * The hub keeps no creation time a client can read. Its {@code generationId}, which changes only when an
     * id is created again, has in every hub observed been the creation time in .NET ticks; it is read as such
     * when it looks like one (else the creation time is unknown). Last update: the latest of that, the
     * identity's {@code statusUpdatedTime} and the desired properties' {@code $metadata.$lastUpdated} (tags
     * and keys carry no time). The etag joins the identity's and the twin's, as a write may change either.
     */
    static RecordVersion version(ObjectNode device, ObjectNode twin) {
        Instant created = createdAt(device.path("generationId").asText(null));
        Instant updated = latest(created, Timestamps.parseOrNull(device.path("statusUpdatedTime").asText(null)));
        updated = latest(updated, Timestamps.parseOrNull(
                twin.path("properties").path("desired").path("$metadata").path("$lastUpdated").asText(null)));
        return new RecordVersion(etag(device) + ":" + etag(twin), created, updated);
    }

    static Instant createdAt(String generationId) {
        if (generationId == null) {
            return null;
        }
        long ticks;
        try {
            ticks = Long.parseLong(generationId);
        } catch (NumberFormatException e) {
            return null;
        }
        if (ticks < EARLIEST_TICKS || ticks > LATEST_TICKS) {
            return null;
        }
        long sinceEpoch = ticks - TICKS_AT_EPOCH;
        return Instant.ofEpochSecond(sinceEpoch / 10_000_000L, (sinceEpoch % 10_000_000L) * 100);
    }

    /**
     * The {@code PATCH /twins/{id}} body that turns {@code current}'s tags and desired properties into the
     * given ones, or null if they already are: a twin patch merges (a null removes a key), so what is to go
     * is sent as null and nested objects are patched key by key. {@code current} null: a new, empty twin.
     */
    static ObjectNode twinPatch(ObjectNode current, JsonNode tags, JsonNode desired) {
        ObjectNode patch = Json.object();
        ObjectNode tagChanges = mergePatch(current == null ? null : current.get("tags"), tags);
        if (tagChanges != null) {
            patch.set("tags", tagChanges);
        }
        JsonNode currentDesired = current == null ? null
                : withoutMetadata(current.path("properties").get("desired"));
        ObjectNode desiredChanges = mergePatch(currentDesired, desired);
        if (desiredChanges != null) {
            patch.putObject("properties").set("desired", desiredChanges);
        }
        return patch.isEmpty() ? null : patch;
    }

    /** RFC 7386 merge patch from one object to another (absent or non-object: empty); null if nothing changes. */
    private static ObjectNode mergePatch(JsonNode from, JsonNode to) {
        ObjectNode result = Json.object();
        if (from != null && from.isObject()) {
            Iterator<String> names = from.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (to == null || !to.isObject() || to.get(name) == null || to.get(name).isNull()) {
                    result.putNull(name);
                }
            }
        }
        if (to != null && to.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = to.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode before = from == null ? null : from.get(field.getKey());
                JsonNode after = field.getValue();
                if (after.isNull() || after.equals(before)) {
                    continue;
                }
                if (after.isObject() && before != null && before.isObject()) {
                    ObjectNode nested = mergePatch(before, after);
                    if (nested != null) {
                        result.set(field.getKey(), nested);
                    }
                } else {
                    result.set(field.getKey(), after);
                }
            }
        }
        return result.isEmpty() ? null : result;
    }

    /** Desired properties without the hub's {@code $metadata} and {@code $version}. */
    private static JsonNode withoutMetadata(JsonNode desired) {
        if (desired == null || !desired.isObject()) {
            return desired;
        }
        ObjectNode copy = JsonNodeFactory.instance.objectNode();
        desired.fields().forEachRemaining(field -> {
            if (!field.getKey().startsWith("$")) {
                copy.set(field.getKey(), field.getValue());
            }
        });
        return copy;
    }

    private static JsonNode nonEmpty(JsonNode node) {
        return node == null || node.isNull() || node.isObject() && node.isEmpty() ? null : node;
    }

    /** The later of two times; a hub's "never" ({@code 0001-01-01}) and absent times do not count. */
    private static Instant latest(Instant a, Instant b) {
        if (b == null || b.isBefore(Instant.EPOCH)) {
            return a;
        }
        return a == null || b.isAfter(a) ? b : a;
    }

    /**
     * What an IoT Hub error body says: its {@code Message} (e.g. {@code ErrorCode:IotHubUnauthorizedAccess;…}),
     * else the start of the body; bounded, on one line, and never a SAS token.
     */
    static String hubMessage(byte[] body) {
        if (body == null || body.length == 0) {
            return "(no body)";
        }
        String text = null;
        try {
            JsonNode node = Json.mapper().readTree(body);
            if (node != null) {
                JsonNode message = node.has("Message") ? node.get("Message") : node.get("message");
                text = message == null || message.isNull() ? null : message.asText();
            }
        } catch (IOException notJson) {
            // Fall back to the text itself.
        }
        return RemoteText.sanitize(text != null ? text : new String(body, StandardCharsets.UTF_8));
    }
}
