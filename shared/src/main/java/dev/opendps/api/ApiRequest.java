package dev.opendps.api;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP request as the API layer sees it, whichever host delivered it. Header and query names are
 * case-insensitive (the Functions Java worker lower-cases headers; SDKs vary).
 */
public final class ApiRequest {
    private final String method;
    private final Map<String, String> headers;
    private final Map<String, String> query;
    private final byte[] body;

    public ApiRequest(String method, Map<String, String> headers, Map<String, String> query, byte[] body) {
        this.method = method.toUpperCase(Locale.ROOT);
        this.headers = caseInsensitive(headers);
        this.query = caseInsensitive(query);
        this.body = body == null ? new byte[0] : body;
    }

    private static Map<String, String> caseInsensitive(Map<String, String> source) {
        Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (source != null) {
            source.forEach((k, v) -> {
                if (k != null && v != null) {
                    map.put(k, v);
                }
            });
        }
        return map;
    }

    public String method() {
        return method;
    }

    public String header(String name) {
        return headers.get(name);
    }

    public String query(String name) {
        return query.get(name);
    }

    public byte[] body() {
        return body;
    }

    public boolean hasBody() {
        return body.length > 0;
    }
}
