package dev.opendps.domain.port;

/**
 * An IoT hub's registry did not do what DPS asked (dps-protocol.md §7). The message names the hub and says
 * what it answered; it never holds a key or a token.
 */
public class HubRegistryException extends StoreException {
    private final String hubHostName;

    public HubRegistryException(String hubHostName, String message) {
        super(message);
        this.hubHostName = hubHostName;
    }

    public HubRegistryException(String hubHostName, String message, Throwable cause) {
        super(message, cause);
        this.hubHostName = hubHostName;
    }

    public String hubHostName() {
        return hubHostName;
    }
}
