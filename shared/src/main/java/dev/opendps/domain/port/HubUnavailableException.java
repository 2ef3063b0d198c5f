package dev.opendps.domain.port;

/** The hub could not be reached in time, throttled DPS (429) or failed (5xx); a later attempt may succeed. */
public class HubUnavailableException extends HubRegistryException {
    public HubUnavailableException(String hubHostName, String message) {
        super(hubHostName, message);
    }

    public HubUnavailableException(String hubHostName, String message, Throwable cause) {
        super(hubHostName, message, cause);
    }
}
