package dev.opendps.domain.port;

import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import java.util.Optional;

/**
 * The identity registries of the IoT hubs DPS assigns devices to (dps-protocol.md §7). The embedded
 * adapter keeps them locally for inspection; a later adapter calls IoT Hub's registry REST API.
 */
public interface HubRegistry {

    /**
     * Creates the device in the hub, or updates it (authentication, capabilities, status and twin) if it
     * exists, and returns what the hub now holds.
     */
    HubDevice createOrUpdate(LinkedHub hub, HubDevice device);

    Optional<HubDevice> find(LinkedHub hub, String deviceId);

    /** Removes the device; no error if it is not there. */
    void delete(LinkedHub hub, String deviceId);

    /** The devices of one hub, paged as {@link VersionedStore#list}. */
    Page<HubDevice> list(LinkedHub hub, int maxItems, String continuationToken);
}
