package dev.opendps.domain.port;

/** The hub refused DPS's credentials (401 or 403): the registration fails with 400209 (dps-protocol.md §7). */
public class HubAccessDeniedException extends HubRegistryException {
    public HubAccessDeniedException(String hubHostName, String message) {
        super(hubHostName, message);
    }
}
