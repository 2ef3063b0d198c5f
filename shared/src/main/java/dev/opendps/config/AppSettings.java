package dev.opendps.config;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * App settings as function code sees them on both hosts: environment variables (how Azure Functions
 * delivers app settings), then JVM system properties (how the local host publishes local.settings.json),
 * then the documented default. Every setting the code reads is listed in {@link Setting}.
 */
public final class AppSettings {
    private final Function<String, String> source;

    private AppSettings(Function<String, String> source) {
        this.source = source;
    }

    /** Environment first, then system properties. */
    public static AppSettings fromEnvironment() {
        return new AppSettings(name -> {
            String value = System.getenv(name);
            return value != null ? value : System.getProperty(name);
        });
    }

    /** For tests and embedding: a fixed map in front of nothing else. */
    public static AppSettings of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return new AppSettings(copy::get);
    }

    public Optional<String> find(String name) {
        String value = source.apply(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** The setting under its key, else under a {@link Setting#formerKeys() former key}, else its default. */
    public String get(Setting setting) {
        Optional<String> value = find(setting.key());
        for (String formerKey : setting.formerKeys()) {
            value = value.or(() -> find(formerKey));
        }
        return value.orElse(setting.defaultValue());
    }

    public int getInt(Setting setting) {
        String value = get(setting);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Setting " + setting.key() + " must be a whole number, was '" + value + "'");
        }
    }
}
