package dev.opendps.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.port.Page;
import dev.opendps.wire.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Query paging as the SDKs speak it (dps-protocol.md §4.2): page size in {@code x-ms-max-item-count},
 * the token in {@code x-ms-continuation}; the answer is a JSON array with {@code x-ms-item-type} (the
 * Java and C# SDKs throw without it) and a continuation header only when more pages exist. Query text
 * beyond {@code *} is not interpreted: every query returns all records, as the SDK samples expect.
 */
record QueryPaging(int maxItems, String continuationToken) {

    static QueryPaging of(ApiRequest request) {
        if (request.hasBody()) {
            JsonNode spec = Json.parse(request.body());
            if (!spec.isObject() || (spec.has("query") && !spec.get("query").isTextual())) {
                throw new ProvisioningException(ErrorCode.INVALID_QUERY,
                        "The query specification must be an object with a string 'query'.");
            }
        }
        String size = request.header("x-ms-max-item-count");
        int maxItems = 0;
        if (size != null && !size.isBlank()) {
            try {
                maxItems = Integer.parseInt(size.trim());
            } catch (NumberFormatException e) {
                maxItems = -1;
            }
            if (maxItems < 0) {
                throw new ProvisioningException(ErrorCode.INVALID_QUERY,
                        "x-ms-max-item-count must be a whole number of zero or more.");
            }
        }
        String token = request.header("x-ms-continuation");
        return new QueryPaging(maxItems, token == null || token.isBlank() ? null : token.trim());
    }

    <T> ApiResponse respond(Page<T> page, Function<T, ObjectNode> writer, String itemType) {
        ArrayNode items = Json.array();
        page.items().forEach(item -> items.add(writer.apply(item)));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-ms-item-type", itemType);
        if (page.hasMore()) {
            headers.put("x-ms-continuation", page.continuationToken());
        }
        if (maxItems > 0) {
            headers.put("x-ms-max-item-count", String.valueOf(maxItems));
        }
        return ApiResponse.json(200, items, headers);
    }
}
