package dev.opendps.localhost.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.microsoft.azure.functions.HttpResponseMessage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns what a function returned into bytes on the wire, as the Functions host does: a String body is text,
 * a byte[] is binary, any other object is serialized as JSON; a null return is 204 and a non-response
 * return value is a 200 with that value as the body.
 */
public final class ResponseRenderer {

    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String BINARY = "application/octet-stream";
    private static final String JSON = "application/json; charset=utf-8";

    private ResponseRenderer() {
    }

    public static OutgoingResponse render(Object returned, boolean headRequest) throws JsonProcessingException {
        if (returned == null) {
            return OutgoingResponse.empty(204);
        }
        int status = 200;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        Object body = returned;
        if (returned instanceof HttpResponseMessage response) {
            status = response.getStatusCode();
            body = response.getBody();
            if (response instanceof LocalHttpResponseMessage local) {
                headers.addAll(local.headers());
            } else if (response.getHeader("Content-Type") != null) {
                // A foreign implementation can only be asked for headers by name.
                headers.add(Map.entry("Content-Type", response.getHeader("Content-Type")));
            }
        }
        byte[] bytes;
        String defaultType;
        if (body == null) {
            bytes = new byte[0];
            defaultType = null;
        } else if (body instanceof byte[] raw) {
            bytes = raw;
            defaultType = BINARY;
        } else if (body instanceof String text) {
            bytes = text.getBytes(StandardCharsets.UTF_8);
            defaultType = TEXT;
        } else {
            bytes = Json.MAPPER.writeValueAsBytes(body);
            defaultType = JSON;
        }
        boolean hasType = headers.stream().anyMatch(h -> h.getKey().equalsIgnoreCase("Content-Type"));
        if (!hasType && defaultType != null && bytes.length > 0) {
            headers.add(Map.entry("Content-Type", defaultType));
        }
        headers.removeIf(h -> h.getKey().equalsIgnoreCase("Content-Length") || h.getKey().equalsIgnoreCase("Transfer-Encoding"));
        return new OutgoingResponse(status, headers, headRequest ? new byte[0] : bytes);
    }
}
