package dev.opendps.adapters.cosmos;

import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.RecordVersion;
import dev.opendps.domain.port.EtagMismatchException;
import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.Page;
import dev.opendps.domain.port.RecordAlreadyExistsException;
import dev.opendps.domain.port.RecordNotFoundException;
import dev.opendps.domain.port.StoreException;
import dev.opendps.wire.StorageCodecs;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * The embedded hub registry kept in Cosmos DB (dps-protocol.md §7): one item per device identity in the
 * {@code hubDevices} container, partitioned by the lower-cased hub host name ({@code /hubHostName}), so a hub's
 * devices are one partition and every device operation is a point operation.
 *
 * <p>Device ids are case-sensitive, as in IoT Hub (§6.3), and Cosmos DB item ids are too: the item id is the
 * device id with its case kept, only escaped ({@link #itemId}) where it has a character Cosmos DB forbids in ids.
 */
public final class CosmosHubRegistry implements HubRegistry {
    /** Rounds of read-then-write {@link #createOrUpdate} tries while other writers change the same device. */
    static final int MAX_ATTEMPTS = 16;

    private final CosmosDocumentStore<HubDevice> devices;
    private final Clock clock;

    public CosmosHubRegistry(CosmosDatabase database) {
        this(database, Clock.systemUTC());
    }

    public CosmosHubRegistry(CosmosDatabase database, Clock clock) {
        this.devices = new CosmosDocumentStore<>(database, CosmosRecordKind.HUB_DEVICE, StorageCodecs.hubDevices(),
                device -> null, device -> null, CosmosHubRegistry::itemId);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Creates the identity, or replaces it keeping its creation time; the device's own version and hub host name
     * are ignored (the registry sets both). Each write is conditional on what was read (create fails on an
     * existing item, replace names the etag read), so of racing registrations of one device the losers read
     * again and retry, and all end in one identity.
     */
    @Override
    public HubDevice createOrUpdate(LinkedHub hub, HubDevice device) {
        String scope = scope(hub);
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(device.deviceId(), "deviceId");
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Optional<HubDevice> current = devices.find(scope, device.deviceId());
            try {
                if (current.isEmpty()) {
                    return devices.create(scope, inHub(hub, device, RecordVersion.createdAt(now())));
                }
                HubDevice stored = current.get();
                return devices.replace(scope, inHub(hub, device, RecordVersion.updatedAt(stored.version(), now())),
                        stored.version().etag());
            } catch (RecordAlreadyExistsException | EtagMismatchException | RecordNotFoundException lostTheRace) {
                // Another registration created, changed or deleted the device since the read: read again.
            }
        }
        throw new StoreException("Could not create or update the hub device '" + device.deviceId() + "' in "
                + hub.hostName() + ": it changed under every one of " + MAX_ATTEMPTS + " attempts.");
    }

    @Override
    public Optional<HubDevice> find(LinkedHub hub, String deviceId) {
        return devices.find(scope(hub), Objects.requireNonNull(deviceId, "deviceId"));
    }

    @Override
    public void delete(LinkedHub hub, String deviceId) {
        try {
            devices.delete(scope(hub), Objects.requireNonNull(deviceId, "deviceId"), null);
        } catch (RecordNotFoundException alreadyGone) {
            // Deleting is idempotent (HubRegistry#delete).
        }
    }

    /** In a stable order: that of the item ids ({@link #itemId}), which is device id order for most ids. */
    @Override
    public Page<HubDevice> list(LinkedHub hub, int maxItems, String continuationToken) {
        return devices.list(scope(hub), maxItems, continuationToken);
    }

    /**
     * The item id of a device id: the device id, case kept, with each character Cosmos DB forbids in item ids
     * ({@code / \ ? #}) and the escape character {@code %} itself written as {@code %} and two upper-case hex
     * digits, as in a URL. Injective; ordinary device ids stay as they are.
     */
    static String itemId(String deviceId) {
        StringBuilder id = null;
        for (int i = 0; i < deviceId.length(); i++) {
            char c = deviceId.charAt(i);
            if ("/\\?#%".indexOf(c) >= 0) {
                if (id == null) {
                    id = new StringBuilder(deviceId.length() + 8).append(deviceId, 0, i);
                }
                id.append('%').append(String.format("%02X", (int) c));
            } else if (id != null) {
                id.append(c);
            }
        }
        return id == null ? deviceId : id.toString();
    }

    private static String scope(LinkedHub hub) {
        return Objects.requireNonNull(Objects.requireNonNull(hub, "hub").hostName(), "hub host name");
    }

    private static HubDevice inHub(LinkedHub hub, HubDevice device, RecordVersion version) {
        return new HubDevice(hub.hostName(), device.deviceId(), device.authentication(), device.iotEdge(),
                device.enabled(), device.tags(), device.desiredProperties(), version);
    }

    /** Stored times have the millisecond precision every store keeps, so what is returned is what is read. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
