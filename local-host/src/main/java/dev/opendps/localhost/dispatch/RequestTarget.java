package dev.opendps.localhost.dispatch;

import dev.opendps.localhost.routing.PathSegments;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request target ({@code /path?query}) taken apart: decoded path segments, decoded query parameters
 * (form decoding, repeated names joined with ",") and the full URL a function sees.
 */
record RequestTarget(List<String> pathSegments, Map<String, String> query, URI uri) {

    /** @throws IllegalArgumentException for a target that cannot be decoded (answered with 400) */
    static RequestTarget parse(String baseUrl, String target) {
        String pathAndQuery = target;
        if (!pathAndQuery.startsWith("/")) {
            // absolute-form target (e.g. through a proxy): keep only its path and query
            URI absolute = URI.create(pathAndQuery);
            pathAndQuery = (absolute.getRawPath() == null || absolute.getRawPath().isEmpty() ? "/" : absolute.getRawPath())
                    + (absolute.getRawQuery() == null ? "" : "?" + absolute.getRawQuery());
        }
        int hash = pathAndQuery.indexOf('#');
        if (hash >= 0) {
            pathAndQuery = pathAndQuery.substring(0, hash);
        }
        int question = pathAndQuery.indexOf('?');
        String rawPath = question >= 0 ? pathAndQuery.substring(0, question) : pathAndQuery;
        String rawQuery = question >= 0 ? pathAndQuery.substring(question + 1) : "";
        return new RequestTarget(PathSegments.split(rawPath), parseQuery(rawQuery), uriOf(baseUrl, rawPath, rawQuery));
    }

    private static Map<String, String> parseQuery(String rawQuery) {
        if (rawQuery.isEmpty()) {
            return Map.of();
        }
        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals >= 0 ? pair.substring(0, equals) : pair);
            String value = equals >= 0 ? decode(pair.substring(equals + 1)) : "";
            query.merge(name, value, (first, second) -> first + "," + second);
        }
        return Collections.unmodifiableMap(query);
    }

    private static String decode(String component) {
        return URLDecoder.decode(component, StandardCharsets.UTF_8);
    }

    private static URI uriOf(String baseUrl, String rawPath, String rawQuery) {
        String text = baseUrl + rawPath + (rawQuery.isEmpty() ? "" : "?" + rawQuery);
        try {
            return new URI(text);
        } catch (URISyntaxException notStrict) {
            // Lenient clients send characters URI rejects (e.g. '|'); re-encode them rather than refuse the request.
            try {
                URI base = new URI(baseUrl);
                return new URI(base.getScheme(), base.getRawAuthority(), PathSegments.percentDecode(rawPath),
                        rawQuery.isEmpty() ? null : rawQuery, null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("Unusable request target", e);
            }
        }
    }
}
