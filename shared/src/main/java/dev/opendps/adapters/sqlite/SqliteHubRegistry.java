package dev.opendps.adapters.sqlite;

import dev.opendps.adapters.DocumentCodec;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.RecordVersion;
import dev.opendps.domain.Versioned;
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
 * The embedded hub registry: device identities kept in the {@code documents} table (kind {@code hubDevice}),
 * one listing per hub keyed by its host name, so a local deployment can provision devices without a real IoT
 * hub and show what DPS would have created there (dps-protocol.md §7).
 *
 * <p>Device ids are case-sensitive, as in IoT Hub (§6.3): {@code Dev-1} and {@code dev-1} are two devices.
 * The document store compares ids case-insensitively, so each device id is stored under a key that keeps its
 * case through lower-casing ({@link #key}). The registry sets the identity's timestamps as a hub would.
 */
public final class SqliteHubRegistry implements HubRegistry {
    /** Rounds of read-then-write {@link #createOrUpdate} tries while other writers change the same device. */
    static final int MAX_ATTEMPTS = 16;

    private final SqliteDocumentStore<StoredDevice> devices;
    private final Clock clock;

    public SqliteHubRegistry(SqliteDatabase database) {
        this(database, Clock.systemUTC());
    }

    public SqliteHubRegistry(SqliteDatabase database, Clock clock) {
        this(database, StorageCodecs.hubDevices(), clock);
    }

    SqliteHubRegistry(SqliteDatabase database, DocumentCodec<HubDevice> codec, Clock clock) {
        this.devices = new SqliteDocumentStore<>(database, DocumentKind.HUB_DEVICE, new StoredDeviceCodec(codec));
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Creates the identity, or replaces it keeping its creation time; the device's own version and hub host
     * name are ignored (the registry sets both). Safe when several registrations of one device race: each
     * write is conditional on what was read, and a write that lost the race reads again and retries.
     */
    @Override
    public HubDevice createOrUpdate(LinkedHub hub, HubDevice device) {
        String scope = scope(hub);
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(device.deviceId(), "deviceId");
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Optional<StoredDevice> current = devices.find(scope, key(device.deviceId()));
            try {
                if (current.isEmpty()) {
                    RecordVersion version = RecordVersion.createdAt(now());
                    return devices.create(scope, new StoredDevice(inHub(hub, device, version))).device();
                }
                RecordVersion version = RecordVersion.updatedAt(current.get().device().version(), now());
                return devices.replace(scope, new StoredDevice(inHub(hub, device, version)), current.get().etag())
                        .device();
            } catch (RecordAlreadyExistsException | EtagMismatchException | RecordNotFoundException lostTheRace) {
                // Another registration created, changed or deleted the device since the read: read again.
            }
        }
        throw new StoreException("Could not create or update the hub device '" + device.deviceId() + "' in "
                + hub.hostName() + ": it changed under every one of " + MAX_ATTEMPTS + " attempts.");
    }

    @Override
    public Optional<HubDevice> find(LinkedHub hub, String deviceId) {
        return devices.find(scope(hub), key(Objects.requireNonNull(deviceId, "deviceId"))).map(StoredDevice::device);
    }

    @Override
    public void delete(LinkedHub hub, String deviceId) {
        try {
            devices.delete(scope(hub), key(Objects.requireNonNull(deviceId, "deviceId")), null);
        } catch (RecordNotFoundException alreadyGone) {
            // Deleting is idempotent (HubRegistry#delete).
        }
    }

    /** In a stable order: that of the stored keys ({@link #key}), which is device id order for lower-case ids. */
    @Override
    public Page<HubDevice> list(LinkedHub hub, int maxItems, String continuationToken) {
        Page<StoredDevice> page = devices.list(scope(hub), maxItems, continuationToken);
        return new Page<>(page.items().stream().map(StoredDevice::device).toList(), page.continuationToken());
    }

    /**
     * The stored key of a device id: the id itself where it has only lower-case letters, digits and the
     * punctuation device ids allow; every other character (upper-case letters first of all) becomes
     * {@code ^} and four lower-case hex digits. Injective, and unchanged by lower-casing, so the store's
     * case-insensitive key keeps device ids case-sensitive; ordinary ids stay readable in the database.
     */
    static String key(String deviceId) {
        StringBuilder key = new StringBuilder(deviceId.length() + 8);
        for (int i = 0; i < deviceId.length(); i++) {
            char c = deviceId.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || "-.%_*?!(),:=@$'".indexOf(c) >= 0) {
                key.append(c);
            } else {
                key.append('^').append(String.format("%04x", (int) c));
            }
        }
        return key.toString();
    }

    private static String scope(LinkedHub hub) {
        return Objects.requireNonNull(hub, "hub").hostName();
    }

    private static HubDevice inHub(LinkedHub hub, HubDevice device, RecordVersion version) {
        return new HubDevice(hub.hostName(), device.deviceId(), device.authentication(), device.iotEdge(),
                device.enabled(), device.tags(), device.desiredProperties(), version);
    }

    /** Stored times have the millisecond precision every store keeps, so what is returned is what is read. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** A device as the document store keys it: by {@link #key}, not by its case-sensitive id. */
    private record StoredDevice(HubDevice device) implements Versioned<StoredDevice> {
        @Override
        public String id() {
            return key(device.deviceId());
        }

        @Override
        public RecordVersion version() {
            return device.version();
        }

        @Override
        public StoredDevice withVersion(RecordVersion version) {
            return new StoredDevice(device.withVersion(version));
        }
    }

    private record StoredDeviceCodec(DocumentCodec<HubDevice> codec) implements DocumentCodec<StoredDevice> {
        @Override
        public String encode(StoredDevice record) {
            return codec.encode(record.device());
        }

        @Override
        public StoredDevice decode(String document) {
            return new StoredDevice(codec.decode(document));
        }

        @Override
        public java.util.List<String> secretPaths() {
            return codec.secretPaths();
        }
    }
}
