package dev.opendps.allocation.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.wire.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the body DPS posts to a custom allocation webhook (dps-protocol.md §5). Tolerant, because both this
 * backend and Azure DPS call it and DPS adds fields over time: unknown fields are ignored, the
 * {@code currentIoTHubHostName} spelling of one doc table is accepted beside {@code currentIotHubHostName},
 * the payload may be absent or not an object. Only what no allocation can do without is required: a JSON
 * object with {@code deviceRuntimeContext.registrationId}.
 */
public final class AllocationRequestJson {
    private AllocationRequestJson() {
    }

    public static AllocationRequest read(String body) {
        ObjectNode root = parseObject(body);
        JsonNode context = root.get("deviceRuntimeContext");
        if (context == null || !context.isObject()) {
            throw new MalformedRequestException("The request has no deviceRuntimeContext object.");
        }
        JsonNode registrationId = context.get("registrationId");
        if (registrationId == null || !registrationId.isTextual() || registrationId.asText().isBlank()) {
            throw new MalformedRequestException("The request has no deviceRuntimeContext.registrationId.");
        }
        JsonNode enrollment = root.get("individualEnrollment") instanceof ObjectNode individual ? individual
                : root.get("enrollmentGroup");
        return new AllocationRequest(
                registrationId.asText(),
                textIgnoringCase(context, "currentIotHubHostName"),
                text(root.path("enrollmentGroup").get("enrollmentGroupId")),
                InitialTwin.fromRequest(enrollment == null ? null : enrollment.get("initialTwin")),
                context.get("payload") instanceof ObjectNode payload ? payload : null,
                hubs(root.get("linkedHubs")));
    }

    /** Parses a body that must be one JSON object; anything else is the caller's mistake (400). */
    public static ObjectNode parseObject(String body) {
        if (body == null || body.isBlank()) {
            throw new MalformedRequestException("The request body is empty; a JSON object is expected.");
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            // The location only: the parser's message would quote the body, which may carry device secrets.
            throw new MalformedRequestException("The request body is not valid JSON (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ").");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new MalformedRequestException("The request body must be a JSON object.");
        }
        return object;
    }

    private static List<String> hubs(JsonNode linkedHubs) {
        List<String> result = new ArrayList<>();
        if (linkedHubs != null && linkedHubs.isArray()) {
            for (JsonNode hub : linkedHubs) {
                String name = text(hub);
                if (name != null && result.stream().noneMatch(name::equalsIgnoreCase)) {
                    result.add(name);
                }
            }
        }
        return result;
    }

    private static String textIgnoringCase(JsonNode object, String name) {
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return text(field.getValue());
            }
        }
        return null;
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() && !node.asText().isBlank() ? node.asText().trim() : null;
    }
}
