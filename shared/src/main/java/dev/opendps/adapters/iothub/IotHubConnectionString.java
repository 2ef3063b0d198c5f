package dev.opendps.adapters.iothub;

import java.util.Locale;

/**
 * An IoT Hub connection string, {@code HostName=…;SharedAccessKeyName=…;SharedAccessKey=…} (dps-protocol.md
 * §7): keys case-insensitive, parts in any order, unknown parts ignored. {@link #toString()} hides the key.
 *
 * <p>A linked hub may also be configured without a key, {@code HostName=…} alone or with
 * {@code AuthenticationType=ManagedIdentity}: DPS then reaches it with a managed identity
 * ({@link #authentication}).
 */
public record IotHubConnectionString(String hostName, String sharedAccessKeyName, String sharedAccessKey) {
    private static final String AUTHENTICATION_TYPE = "authenticationtype";

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
        boolean key = false;
        for (String part : connectionString.split(";")) {
            int equals = part.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String name = part.substring(0, equals).trim().toLowerCase(Locale.ROOT);
            String value = part.substring(equals + 1).trim();
            if (name.equals(AUTHENTICATION_TYPE)) {
                if (value.equalsIgnoreCase("ManagedIdentity")) {
                    return Authentication.MANAGED_IDENTITY;
                }
                if (value.equalsIgnoreCase("SharedAccessKey")) {
                    return Authentication.SHARED_ACCESS_KEY;
                }
                throw new IllegalArgumentException("The linked hub's AuthenticationType must be ManagedIdentity or"
                        + " SharedAccessKey.");
            }
            key |= (name.equals("sharedaccesskey") || name.equals("sharedaccesskeyname")) && !value.isEmpty();
        }
        return key ? Authentication.SHARED_ACCESS_KEY : Authentication.MANAGED_IDENTITY;
    }

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
