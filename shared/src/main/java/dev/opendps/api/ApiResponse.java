package dev.opendps.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.wire.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response as the API layer produces it; each host maps it onto its own response type. */
public record ApiResponse(int status, Map<String, String> headers, byte[] body) {
    public static final String JSON = "application/json; charset=utf-8";

    public ApiResponse {
        headers = Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    public static ApiResponse json(int status, JsonNode body, Map<String, String> extraHeaders) {
        Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
        headers.put("Content-Type", JSON);
        return new ApiResponse(status, headers, Json.bytes(body));
    }

    public static ApiResponse json(int status, JsonNode body) {
        return json(status, body, Map.of());
    }

    public static ApiResponse empty(int status) {
        return new ApiResponse(status, Map.of(), new byte[0]);
    }

    public ApiResponse withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new ApiResponse(status, copy, body);
    }
}
