package dev.opendps.localhost.http;

import java.util.List;
import java.util.Map;

/** A complete response for the transport to write. Headers keep the names and order the function gave them. */
public record OutgoingResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {

    private static final byte[] EMPTY = new byte[0];

    public OutgoingResponse {
        headers = List.copyOf(headers);
    }

    public static OutgoingResponse empty(int status) {
        return new OutgoingResponse(status, List.of(), EMPTY);
    }

    public static OutgoingResponse empty(int status, String headerName, String headerValue) {
        return new OutgoingResponse(status, List.of(Map.entry(headerName, headerValue)), EMPTY);
    }

    /** A small JSON body, for the host's own error responses. */
    public static OutgoingResponse json(int status, String json) {
        return new OutgoingResponse(status, List.of(Map.entry("Content-Type", "application/json; charset=utf-8")),
                json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public String header(String name) {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .reduce((first, last) -> last).orElse(null);
    }
}
