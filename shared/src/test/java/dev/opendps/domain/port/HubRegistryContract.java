package dev.opendps.domain.port;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.HubDevice.Authentication;
import dev.opendps.domain.LinkedHub;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link HubRegistry} promises, whatever keeps the identities (dps-protocol.md §6.3, §7). A
 * backend's test extends this and only supplies the registry.
 *
 * <p>Each test works in hubs of its own, so a backend may keep data between tests.
 */
public abstract class HubRegistryContract {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    protected HubRegistry registry;
    protected LinkedHub hub;
    protected LinkedHub otherHub;

    /** The registry under test; called before each test. */
    protected abstract HubRegistry createRegistry() throws Exception;

    /** Releases what {@link #createRegistry} made; called after each test. */
    protected void releaseRegistry() throws Exception {
    }

    @BeforeEach
    void openRegistry() throws Exception {
        hub = newHub();
        otherHub = newHub();
        registry = createRegistry();
    }

    @AfterEach
    void closeRegistry() throws Exception {
        releaseRegistry();
    }

    // --- create and find --------------------------------------------------------------------------------

    @Test
    void aCreatedSasDeviceIsFoundWithEveryField() {
        HubDevice device = sasDevice("device-1", 1);

        HubDevice created = registry.createOrUpdate(hub, device);

        assertThat(created.etag()).isNotBlank();
        assertThat(created.version().createdDateTimeUtc()).isNotNull();
        assertThat(created.version().lastUpdatedDateTimeUtc()).isNotNull();
        assertThat(created).isEqualTo(device.withVersion(created.version()));
        assertThat(registry.find(hub, "device-1")).contains(created);
    }

    @Test
    void aCreatedSelfSignedDeviceIsFoundWithEveryField() {
        HubDevice device = selfSignedDevice("device-1");

        HubDevice created = registry.createOrUpdate(hub, device);

        assertThat(created).isEqualTo(device.withVersion(created.version()));
        assertThat(registry.find(hub, "device-1")).contains(created);
    }

    @Test
    void theReturnedDeviceNamesTheHubItIsIn() {
        HubDevice device = new HubDevice(null, "device-1", Authentication.sas("a2V5LTE=", "a2V5LTI="), false, true,
                null, null, null);

        HubDevice created = registry.createOrUpdate(hub, device);

        assertThat(created.hubHostName()).isEqualTo(hub.hostName());
        assertThat(registry.find(hub, "device-1")).map(HubDevice::hubHostName).contains(hub.hostName());
    }

    @Test
    void findOfAnUnknownDeviceIsEmpty() {
        registry.createOrUpdate(hub, sasDevice("device-1", 1));

        assertThat(registry.find(hub, "device-2")).isEmpty();
    }

    @Test
    void deviceIdsAreCaseSensitiveAsInIotHub() {
        HubDevice mixed = registry.createOrUpdate(hub, sasDevice("Device-1", 1));
        HubDevice lower = registry.createOrUpdate(hub, sasDevice("device-1", 2));

        assertThat(registry.find(hub, "Device-1")).contains(mixed);
        assertThat(registry.find(hub, "device-1")).contains(lower);
        assertThat(registry.find(hub, "DEVICE-1")).isEmpty();
        assertThat(registry.list(hub, 10, null).items()).containsExactlyInAnyOrder(mixed, lower);
        registry.delete(hub, "DEVICE-1");
        registry.delete(hub, "Device-1");
        assertThat(registry.find(hub, "device-1")).contains(lower);
    }

    @Test
    void theHubIsNamedIgnoringCase() {
        HubDevice created = registry.createOrUpdate(hub, sasDevice("device-1", 1));
        // The same hub, credentials included: a remote registry needs them to answer at all.
        LinkedHub upperCase = new LinkedHub(hub.hostName().toUpperCase(Locale.ROOT), 1, true,
                hub.connectionString());

        assertThat(registry.find(upperCase, "device-1")).contains(created);
    }

    // --- update -----------------------------------------------------------------------------------------

    @Test
    void updateReplacesAuthenticationTwinStatusAndEdgeCapability() {
        HubDevice created = registry.createOrUpdate(hub, sasDevice("device-1", 1));
        HubDevice changed = selfSignedDevice("device-1");

        HubDevice updated = registry.createOrUpdate(hub, changed);

        assertThat(updated.etag()).isNotBlank().isNotEqualTo(created.etag());
        assertThat(updated).isEqualTo(changed.withVersion(updated.version()));
        assertThat(registry.find(hub, "device-1")).contains(updated);
    }

    @Test
    void updateKeepsTheCreationTime() {
        HubDevice created = registry.createOrUpdate(hub, sasDevice("device-1", 1));

        HubDevice updated = registry.createOrUpdate(hub, sasDevice("device-1", 2));

        assertThat(updated.version().createdDateTimeUtc()).isEqualTo(created.version().createdDateTimeUtc());
        assertThat(updated.version().lastUpdatedDateTimeUtc())
                .isAfterOrEqualTo(created.version().lastUpdatedDateTimeUtc());
    }

    @Test
    void theVersionOfTheGivenDeviceIsIgnored() {
        HubDevice created = registry.createOrUpdate(hub, sasDevice("device-1", 1));
        HubDevice stale = sasDevice("device-1", 2).withVersion(Records.version().withEtag("a-stale-etag"));

        HubDevice updated = registry.createOrUpdate(hub, stale);

        assertThat(updated.etag()).isNotEqualTo("a-stale-etag");
        assertThat(updated.version().createdDateTimeUtc()).isEqualTo(created.version().createdDateTimeUtc());
        assertThat(counter(registry.find(hub, "device-1").orElseThrow())).isEqualTo(2);
    }

    // --- hubs -------------------------------------------------------------------------------------------

    @Test
    void theSameDeviceIdInTwoHubsIsTwoDevices() {
        HubDevice mine = registry.createOrUpdate(hub, sasDevice("device-1", 1));
        HubDevice theirs = registry.createOrUpdate(otherHub, selfSignedDevice("device-1"));

        HubDevice updated = registry.createOrUpdate(hub, sasDevice("device-1", 5));

        assertThat(registry.find(hub, "device-1")).contains(updated);
        assertThat(registry.find(otherHub, "device-1")).contains(theirs);
        registry.delete(otherHub, "device-1");
        assertThat(registry.find(hub, "device-1")).contains(updated);
        assertThat(registry.find(otherHub, "device-1")).isEmpty();
        assertThat(mine.hubHostName()).isNotEqualTo(theirs.hubHostName());
    }

    @Test
    void aHubListsOnlyItsOwnDevices() {
        createAll(hub, "a-1", "a-2", "a-3");
        createAll(otherHub, "b-1", "b-2");

        assertThat(deviceIds(hub)).containsExactlyInAnyOrder("a-1", "a-2", "a-3");
        assertThat(deviceIds(otherHub)).containsExactlyInAnyOrder("b-1", "b-2");
    }

    // --- delete -----------------------------------------------------------------------------------------

    @Test
    void deleteRemovesTheDevice() {
        registry.createOrUpdate(hub, sasDevice("device-1", 1));

        registry.delete(hub, "device-1");

        assertThat(registry.find(hub, "device-1")).isEmpty();
    }

    @Test
    void deleteIsIdempotent() {
        registry.createOrUpdate(hub, sasDevice("device-1", 1));
        registry.delete(hub, "device-1");

        registry.delete(hub, "device-1");
        registry.delete(hub, "never-created");

        assertThat(registry.find(hub, "device-1")).isEmpty();
    }

    @Test
    void aDeletedDeviceCanBeCreatedAgain() {
        HubDevice first = registry.createOrUpdate(hub, sasDevice("device-1", 1));
        registry.delete(hub, "device-1");

        HubDevice second = registry.createOrUpdate(hub, selfSignedDevice("device-1"));

        assertThat(second.etag()).isNotEqualTo(first.etag());
        assertThat(registry.find(hub, "device-1")).contains(second);
    }

    // --- listing ----------------------------------------------------------------------------------------

    @Test
    void sevenDevicesInPagesOfThreeComeAsThreeThreeOne() {
        List<HubDevice> created = createAll(hub, "d-5", "d-1", "d-7", "d-3", "d-2", "d-6", "d-4");

        List<Page<HubDevice>> pages = VersionedStoreContract.pages(
                (max, token) -> registry.list(hub, max, token), 3);

        assertThat(pages).extracting(page -> page.items().size()).containsExactly(3, 3, 1);
        assertThat(pages.get(2).continuationToken()).isNull();
        assertThat(pages.stream().flatMap(page -> page.items().stream()).toList())
                .containsExactlyInAnyOrderElementsOf(created);
    }

    @Test
    void listingAHubWithoutDevicesGivesOneEmptyPage() {
        Page<HubDevice> page = registry.list(hub, 10, null);

        assertThat(page.items()).isEmpty();
        assertThat(page.continuationToken()).isNull();
    }

    // --- concurrency ------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentRegistrationsOfOneDeviceEndWithOneIdentity() throws Exception {
        AtomicInteger attempt = new AtomicInteger();

        List<Object> outcomes = VersionedStoreContract.runConcurrently(VersionedStoreContract.WRITERS,
                () -> registry.createOrUpdate(hub, sasDevice("device-1", attempt.incrementAndGet())));

        assertThat(outcomes).hasSize(VersionedStoreContract.WRITERS).allSatisfy(
                outcome -> assertThat(outcome).isInstanceOf(HubDevice.class));
        List<HubDevice> returned = outcomes.stream().map(HubDevice.class::cast).toList();
        List<HubDevice> listed = registry.list(hub, 100, null).items();
        assertThat(listed).hasSize(1);
        assertThat(returned).contains(listed.get(0));
        // Whoever created it, every later write kept its creation time.
        assertThat(returned).extracting(device -> device.version().createdDateTimeUtc()).containsOnly(
                listed.get(0).version().createdDateTimeUtc());
    }

    // --- fixtures ---------------------------------------------------------------------------------------

    /** A hub with a host name no other test uses. */
    protected static LinkedHub newHub() {
        String name = "hub-" + UUID.randomUUID().toString().substring(0, 8) + ".azure-devices.net";
        return new LinkedHub(name, 1, true,
                "HostName=" + name + ";SharedAccessKeyName=iothubowner;SharedAccessKey=bm90LWEta2V5");
    }

    /** An edge device with SAS keys, tags (holding {@code counter}) and desired properties. */
    protected HubDevice sasDevice(String deviceId, int counter) {
        ObjectNode tags = JSON.objectNode().put("counter", counter).put("site", "plant-7");
        tags.putArray("zones").add("north").add("east");
        ObjectNode desired = JSON.objectNode().put("telemetryIntervalSeconds", 30).put("verbose", true);
        desired.putObject("firmware").put("version", "1.4.2");
        return new HubDevice(hub.hostName(), deviceId,
                Authentication.sas("cHJpbWFyeS1odWItZGV2aWNlLWtleQ==", "c2Vjb25kYXJ5LWh1Yi1kZXZpY2Uta2V5"), true, true,
                tags, desired, null);
    }

    /** A disabled, non-edge device with X.509 thumbprints and no twin. */
    protected HubDevice selfSignedDevice(String deviceId) {
        return new HubDevice(hub.hostName(), deviceId,
                Authentication.selfSigned("A1B2C3D4E5F60718293A4B5C6D7E8F9012345678",
                        "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"), false, false, null, null, null);
    }

    private static int counter(HubDevice device) {
        return device.tags().path("counter").intValue();
    }

    private List<HubDevice> createAll(LinkedHub target, String... deviceIds) {
        return Arrays.stream(deviceIds)
                .map(id -> registry.createOrUpdate(target, withHub(sasDevice(id, 0), target)))
                .toList();
    }

    private List<String> deviceIds(LinkedHub target) {
        return VersionedStoreContract.pages((max, token) -> registry.list(target, max, token), 2).stream()
                .flatMap(page -> page.items().stream()).map(HubDevice::deviceId).toList();
    }

    private static HubDevice withHub(HubDevice device, LinkedHub target) {
        return new HubDevice(target.hostName(), device.deviceId(), device.authentication(), device.iotEdge(),
                device.enabled(), device.tags(), device.desiredProperties(), device.version());
    }
}
