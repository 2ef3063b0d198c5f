package dev.opendps.adapters.iothub;

import java.util.Locale;

/**
 * An IoT Hub connection string, {@code HostName=…;SharedAccessKeyName=…;SharedAccessKey=…} (dps-protocol.md
 * §7): keys case-insensitive, parts in any order, unknown parts ignored. {@link #toString()} hides the key.
 */
public record IotHubConnectionString(String hostName, String sharedAccessKeyName, String sharedAccessKey) {

    /** @throws IllegalArgumentException naming the missing part, never quoting the string */
    public static IotHubConnectionString parse(String connectionString) {
        if (connectionString == null || connectionString.isBlank()) {
            throw new IllegalArgumentException("The linked hub has no connection string.");
        }
        String host = null;
        String keyName = null;
        String key = null;
        for (String part : connectionString.split(";")) {
            int equals = part.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String name = part.substring(0, equals).trim().toLowerCase(Locale.ROOT);
            // A base64 key may end in '=': only the first '=' separates name and value.
            String value = part.substring(equals + 1).trim();
            switch (name) {
                case "hostname" -> host = value;
                case "sharedaccesskeyname" -> keyName = value;
                case "sharedaccesskey" -> key = value;
                default -> {
                }
            }
        }
        require(host, "HostName");
        require(keyName, "SharedAccessKeyName");
        require(key, "SharedAccessKey");
        return new IotHubConnectionString(host, keyName, key);
    }

    private static void require(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("The linked hub's connection string has no " + name + ".");
        }
    }

    @Override
    public String toString() {
        return "IotHubConnectionString[HostName=" + hostName + ";SharedAccessKeyName=" + sharedAccessKeyName
                + ";SharedAccessKey=redacted]";
    }
}
