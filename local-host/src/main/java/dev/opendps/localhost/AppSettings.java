package dev.opendps.localhost;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.localhost.http.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * App settings as the Functions host sees them: the process environment, plus the {@code Values} of a
 * {@code local.settings.json} ({@code {"IsEncrypted":false,"Values":{...}}}) when present; the environment wins.
 */
public final class AppSettings {

    /** Environment variable naming the local.settings.json to read (default: the working directory's). */
    public static final String SETTINGS_FILE_VARIABLE = "DPS_LOCAL_SETTINGS_FILE";

    private static final Logger LOG = Logger.getLogger(AppSettings.class.getName());

    private final Map<String, String> environment;
    private final Map<String, String> fileValues;
    private final Path file;

    private AppSettings(Map<String, String> environment, Map<String, String> fileValues, Path file) {
        this.environment = Map.copyOf(environment);
        this.fileValues = Collections.unmodifiableMap(new LinkedHashMap<>(fileValues));
        this.file = file;
    }

    /** The real environment and the local.settings.json it names (or the working directory's). */
    public static AppSettings load() throws IOException {
        Map<String, String> environment = System.getenv();
        String configured = environment.get(SETTINGS_FILE_VARIABLE);
        Path file = configured != null && !configured.isBlank() ? Path.of(configured) : Path.of("local.settings.json");
        if (configured != null && !configured.isBlank() && !Files.exists(file)) {
            throw new IOException(SETTINGS_FILE_VARIABLE + " names a missing file: " + file.toAbsolutePath());
        }
        return load(environment, file);
    }

    /** Settings from a given environment and settings file (which may be absent). */
    public static AppSettings load(Map<String, String> environment, Path localSettingsFile) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        if (localSettingsFile != null && Files.isRegularFile(localSettingsFile)) {
            JsonNode json = Json.MAPPER.readTree(localSettingsFile.toFile());
            if (json.path("IsEncrypted").asBoolean(false)) {
                throw new IOException(localSettingsFile + " is encrypted; the local host reads only unencrypted settings");
            }
            json.path("Values").fields().forEachRemaining(entry -> values.put(entry.getKey(),
                    entry.getValue().isValueNode() ? entry.getValue().asText() : entry.getValue().toString()));
            LOG.fine(() -> "Read " + values.size() + " settings from " + localSettingsFile.toAbsolutePath());
        }
        return new AppSettings(environment, values, localSettingsFile);
    }

    /** Settings without any environment or file: for tests and embedding. */
    public static AppSettings of(Map<String, String> values) {
        return new AppSettings(values, Map.of(), null);
    }

    /** The setting's value: the environment's if it defines it, else the settings file's. */
    public Optional<String> get(String name) {
        String value = environment.get(name);
        if (value == null) {
            value = fileValues.get(name);
        }
        return Optional.ofNullable(value);
    }

    /** The settings file's values (before the environment overrides them). */
    public Map<String, String> fileValues() {
        return fileValues;
    }

    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /**
     * Makes the settings file's values visible to function code, which reads settings with
     * {@code System.getenv(name)} falling back to {@code System.getProperty(name)}: each value the environment does
     * not define becomes a system property (one already set, e.g. with -D, is left alone).
     *
     * @return the names published
     */
    public java.util.List<String> publishAsSystemProperties() {
        java.util.List<String> published = new java.util.ArrayList<>();
        for (Map.Entry<String, String> entry : fileValues.entrySet()) {
            if (!environment.containsKey(entry.getKey()) && System.getProperty(entry.getKey()) == null) {
                System.setProperty(entry.getKey(), entry.getValue());
                published.add(entry.getKey());
            }
        }
        return published;
    }
}
