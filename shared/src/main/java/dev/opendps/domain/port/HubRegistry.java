package dev.opendps.domain.port;

import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import java.util.Optional;

/**
 * The identity registries of the IoT hubs DPS assigns devices to (dps-protocol.md §7). The embedded
 * adapter keeps them locally for inspection; a later adapter calls IoT Hub's registry REST API.
 * Device ids are case-sensitive, as in IoT Hub (§6.3); hub host names are not. {@code createOrUpdate} is safe
 * when registrations of one device race: they end in one identity, which keeps its creation time. The
 * registry sets the device's etag and timestamps and names the hub it is in.
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
