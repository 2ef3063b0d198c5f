package dev.opendps.adapters.iothub;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An IoT Hub connection string, {@code HostName=…;SharedAccessKeyName=…;SharedAccessKey=…} (dps-protocol.md
 * §7): keys case-insensitive, parts in any order, unknown parts ignored. {@link #toString()} hides the key.
 *
 * <p>A linked hub may also be configured without a key, {@code HostName=…} alone or with
 * {@code AuthenticationType=ManagedIdentity}: DPS then reaches it with a managed identity
 * ({@link #authentication}).
 */
public record IotHubConnectionString(String hostName, String sharedAccessKeyName, String sharedAccessKey) {
    /** How DPS authenticates to the hub a connection string names. */
    public enum Authentication {
        /** A SAS signed with the connection string's {@code SharedAccessKey}. */
        SHARED_ACCESS_KEY,
        /** A Microsoft Entra token of the app's managed identity. */
        MANAGED_IDENTITY
    }

    /**
     * {@code AuthenticationType=ManagedIdentity} or {@code =SharedAccessKey} if the string says so; else a
     * key or key name means {@link Authentication#SHARED_ACCESS_KEY} (a missing half is {@link #parse}'s error
     * to report) and neither, or no string at all, {@link Authentication#MANAGED_IDENTITY}.
     *
     * @throws IllegalArgumentException for another {@code AuthenticationType}
     */
    public static Authentication authentication(String connectionString) {
        if (connectionString == null || connectionString.isBlank()) {
            return Authentication.MANAGED_IDENTITY;
        }
        Map<String, String> parts = parts(connectionString);
        String type = parts.get("authenticationtype");
        if (type != null) {
            if (type.equalsIgnoreCase("ManagedIdentity")) {
                return Authentication.MANAGED_IDENTITY;
            }
            if (type.equalsIgnoreCase("SharedAccessKey")) {
                return Authentication.SHARED_ACCESS_KEY;
            }
            throw new IllegalArgumentException("The linked hub's AuthenticationType must be ManagedIdentity or"
                    + " SharedAccessKey.");
        }
        boolean key = !parts.getOrDefault("sharedaccesskey", "").isEmpty()
                || !parts.getOrDefault("sharedaccesskeyname", "").isEmpty();
        return key ? Authentication.SHARED_ACCESS_KEY : Authentication.MANAGED_IDENTITY;
    }

    /** @throws IllegalArgumentException naming the missing part, never quoting the string */
    public static IotHubConnectionString parse(String connectionString) {
        if (connectionString == null || connectionString.isBlank()) {
            throw new IllegalArgumentException("The linked hub has no connection string.");
        }
        Map<String, String> parts = parts(connectionString);
        String host = require(parts, "HostName");
        String keyName = require(parts, "SharedAccessKeyName");
        String key = require(parts, "SharedAccessKey");
        return new IotHubConnectionString(host, keyName, key);
    }

    /** The {@code name=value} parts, names in lower case; parts without a name are skipped. */
    private static Map<String, String> parts(String connectionString) {
        Map<String, String> parts = new HashMap<>();
        for (String part : connectionString.split(";")) {
            int equals = part.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            // A base64 key may end in '=': only the first '=' separates name and value.
            parts.put(part.substring(0, equals).trim().toLowerCase(Locale.ROOT), part.substring(equals + 1).trim());
        }
        return parts;
    }

    private static String require(Map<String, String> parts, String name) {
        String value = parts.get(name.toLowerCase(Locale.ROOT));
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("The linked hub's connection string has no " + name + ".");
        }
        return value;
    }

    @Override
    public String toString() {
        return "IotHubConnectionString[HostName=" + hostName + ";SharedAccessKeyName=" + sharedAccessKeyName
                + ";SharedAccessKey=redacted]";
    }
}
