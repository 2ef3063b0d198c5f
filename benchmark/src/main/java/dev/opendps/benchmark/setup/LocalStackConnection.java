package dev.opendps.benchmark.setup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the local stack writes to {@code connection.json}: the ID scope, the service connection string
 * ({@code HostName=…;SharedAccessKeyName=…;SharedAccessKey=<base64>}) and the function apps' base URLs.
 */
public record LocalStackConnection(String idScope, String serviceHostName, String policyName, byte[] policyKey,
                                   Map<String, String> functionAppBaseUrls) {

    public static LocalStackConnection read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        String idScope = required(root, "idScope", file);
        Map<String, String> parts = new HashMap<>();
        for (String part : required(root, "serviceConnectionString", file).split(";")) {
            int equals = part.indexOf('=');
            if (equals > 0) {
                parts.put(part.substring(0, equals).trim(), part.substring(equals + 1).trim());
            }
        }
        for (String key : new String[] {"HostName", "SharedAccessKeyName", "SharedAccessKey"}) {
            if (!parts.containsKey(key)) {
                throw new IOException(file + ": the service connection string has no " + key);
            }
        }
        Map<String, String> apps = new HashMap<>();
        root.path("functionApps").fields().forEachRemaining(app ->
                apps.put(app.getKey(), app.getValue().path("baseUrl").asText("")));
        return new LocalStackConnection(idScope, parts.get("HostName"), parts.get("SharedAccessKeyName"),
                Base64.getDecoder().decode(parts.get("SharedAccessKey")), apps);
    }

    public Optional<String> functionAppBaseUrl(String appName) {
        return Optional.ofNullable(functionAppBaseUrls.get(appName)).filter(url -> !url.isEmpty());
    }

    private static String required(JsonNode root, String field, Path file) throws IOException {
        String value = root.path(field).asText("");
        if (value.isEmpty()) {
            throw new IOException(file + " has no " + field);
        }
        return value;
    }
}
