package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.app.Stores;
import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.allocation.HubAllocation;
import dev.opendps.domain.allocation.WeightedHashAllocation;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.Page;
import dev.opendps.service.InstanceDirectory;
import dev.opendps.service.registration.DeviceRegistrationService;
import dev.opendps.testing.TestPki;
import dev.opendps.testing.TestPki.Credential;
import dev.opendps.wire.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-registration (dps-protocol.md §6.4): what each reprovision policy does to a returning device's hub, its
 * identity's twin and its substatus; and keys rolled between registrations reaching the hub identity (§7).
 * Hubs change by editing the enrollment's {@code iotHubs}, or the instance's linked hubs.
 */
class ReprovisioningApiTest {
    private static final String HUB_1 = "local-hub-1.localhost";
    private static final String HUB_2 = "local-hub-2.localhost";
    private static final String MIGRATE = "";
    private static final String RESET = ",\"reprovisionPolicy\":{\"updateHubAssignment\":true,\"migrateDeviceData\":false}";
    private static final String NEVER = ",\"reprovisionPolicy\":{\"updateHubAssignment\":false,\"migrateDeviceData\":true}";
    private static final String INITIAL_TWIN =
            "{\"tags\":{\"site\":\"lab\"},\"properties\":{\"desired\":{\"fw\":\"1.0\"}}}";

    @TempDir
    java.nio.file.Path dataDir;

    MovableClock clock = new MovableClock();
    ServiceApiFixture dps;
    DeviceApi devices;
    String scope;

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir, Map.of(), clock);
        devices = dps.application.deviceApi();
        scope = dps.instance.idScope();
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
    }

    // --- migrate (the default) --------------------------------------------------------------------------

    @Test
    void migrateMovesTheTwinToTheNewHubAndDeletesTheOldIdentity() {
        String key = enroll("mig-1", HUB_1, MIGRATE);
        register("mig-1", key);
        changeTwinInHub(HUB_1, "mig-1");
        enroll("mig-1", HUB_2, MIGRATE);

        JsonNode state = register("mig-1", key);

        assertThat(state.get("assignedHub").asText()).isEqualTo(HUB_2);
        assertThat(state.get("substatus").asText()).isEqualTo("deviceDataMigrated");
        HubDevice moved = hubDevice(HUB_2, "mig-1").orElseThrow();
        assertThat(moved.tags()).isEqualTo(json("{\"site\":\"field\",\"owner\":\"ops\"}"));
        assertThat(moved.desiredProperties()).isEqualTo(json("{\"fw\":\"2.0\"}"));
        assertThat(moved.authentication().primaryKey()).isEqualTo(key);
        assertThat(moved.iotEdge()).isTrue();
        assertThat(hubDevice(HUB_1, "mig-1")).isEmpty();
    }

    @Test
    void migrateOnTheSameHubKeepsTheIdentityAndItsTwinAndTheInitialAssignment() {
        String key = enroll("mig-2", HUB_1, MIGRATE);
        register("mig-2", key);
        changeTwinInHub(HUB_1, "mig-2");

        JsonNode state = register("mig-2", key);

        assertThat(state.get("assignedHub").asText()).isEqualTo(HUB_1);
        assertThat(state.get("substatus").asText()).isEqualTo("initialAssignment");
        assertThat(hubDevice(HUB_1, "mig-2").orElseThrow().desiredProperties()).isEqualTo(json("{\"fw\":\"2.0\"}"));
    }

    @Test
    void aMigratedDeviceThatStaysKeepsReportingThatItsDataWasMigrated() {
        String key = enroll("mig-3", HUB_1, MIGRATE);
        register("mig-3", key);
        enroll("mig-3", HUB_2, MIGRATE);
        register("mig-3", key);

        JsonNode state = register("mig-3", key);

        assertThat(state.get("assignedHub").asText()).isEqualTo(HUB_2);
        assertThat(state.get("substatus").asText()).isEqualTo("deviceDataMigrated");
    }

    @Test
    void aDeviceMovedBackToItsFirstHubIsReprovisionedToItsInitialAssignmentWithItsData() {
        String key = enroll("mig-4", HUB_1, MIGRATE);
        register("mig-4", key);
        enroll("mig-4", HUB_2, MIGRATE);
        register("mig-4", key);
        changeTwinInHub(HUB_2, "mig-4");
        enroll("mig-4", HUB_1, MIGRATE);

        JsonNode state = register("mig-4", key);

        assertThat(state.get("assignedHub").asText()).isEqualTo(HUB_1);
        assertThat(state.get("substatus").asText()).isEqualTo("reprovisionedToInitialAssignment");
        assertThat(hubDevice(HUB_1, "mig-4").orElseThrow().desiredProperties()).isEqualTo(json("{\"fw\":\"2.0\"}"));
        assertThat(hubDevice(HUB_2, "mig-4")).isEmpty();
    }

    @Test
    void changedHubWeightsMoveOnlyTheDevicesWhoseHubChangedAndTheyBringTheirData() {
        LinkedHub hub1 = dps.instance.linkedHub(HUB_1).orElseThrow();
        LinkedHub hub2 = dps.instance.linkedHub(HUB_2).orElseThrow();
        LinkedHub heavier2 = new LinkedHub(HUB_2, 3, true, hub2.connectionString());
        // One device that the heavier hub 2 takes over, and one that stays on hub 1 even so.
        List<String> ids = IntStream.range(0, 200).mapToObj(i -> "weighted-" + i).toList();
        String mover = ids.stream().filter(id -> on(id, HUB_1, hub1, hub2) && on(id, HUB_2, hub1, heavier2))
                .findFirst().orElseThrow();
        String stayer = ids.stream().filter(id -> on(id, HUB_1, hub1, hub2) && on(id, HUB_1, hub1, heavier2))
                .findFirst().orElseThrow();
        String moverKey = enroll(mover, null, MIGRATE);
        String stayerKey = enroll(stayer, null, MIGRATE);
        register(mover, moverKey);
        register(stayer, stayerKey);
        changeTwinInHub(HUB_1, mover);
        linkHubs(hub1, heavier2);

        JsonNode moved = register(mover, moverKey);
        JsonNode stayed = register(stayer, stayerKey);

        assertThat(moved.get("assignedHub").asText()).isEqualTo(HUB_2);
        assertThat(moved.get("substatus").asText()).isEqualTo("deviceDataMigrated");
        assertThat(hubDevice(HUB_2, mover).orElseThrow().tags().get("owner").asText()).isEqualTo("ops");
        assertThat(hubDevice(HUB_1, mover)).isEmpty();
        assertThat(stayed.get("assignedHub").asText()).isEqualTo(HUB_1);
        assertThat(stayed.get("substatus").asText()).isEqualTo("initialAssignment");
    }

    @Test
    void migrateFromAHubThatIsNoLongerLinkedCanOnlyResetTheData() {
        String key = enroll("mig-5", null, MIGRATE);
        String first = register("mig-5", key).get("assignedHub").asText();
        changeTwinInHub(first, "mig-5");
        String other = first.equals(HUB_1) ? HUB_2 : HUB_1;
        linkHubs(dps.instance.linkedHub(other).orElseThrow());

        JsonNode state = register("mig-5", key);

        assertThat(state.get("assignedHub").asText()).isEqualTo(other);
        assertThat(state.get("substatus").asText()).isEqualTo("deviceDataReset");
        assertThat(hubDevice(other, "mig-5").orElseThrow().desiredProperties()).isEqualTo(json("{\"fw\":\"1.0\"}"));
        assertThat(hubDevice(first, "mig-5")).as("an unlinked hub cannot be reached").isPresent();
    }

    // --- reset ------------------------------------------------------------------------------------------

    @Test
    void resetCreatesTheNewIdentityFromTheInitialTwinAndDeletesTheOldOne() {
        String key = enroll("reset-1", HUB_1, RESET);
        register("reset-1", key);
        changeTwinInHub(HUB_1, "reset-1");
        enroll("reset-1", HUB_2, RESET);

        JsonNode state = register("reset-1", key);

        assertThat(state.get("assignedHub").asText()).isEqualTo(HUB_2);
        assertThat(state.get("substatus").asText()).isEqualTo("deviceDataReset");
        HubDevice reset = hubDevice(HUB_2, "reset-1").orElseThrow();
        assertThat(reset.tags()).isEqualTo(json("{\"site\":\"lab\"}"));
        assertThat(reset.desiredProperties()).isEqualTo(json("{\"fw\":\"1.0\"}"));
        assertThat(hubDevice(HUB_1, "reset-1")).isEmpty();
    }

    @Test
    void resetOnTheSameHubAppliesTheInitialTwinAgain() {
        String key = enroll("reset-2", HUB_1, RESET);
        register("reset-2", key);
        changeTwinInHub(HUB_1, "reset-2");

        JsonNode state = register("reset-2", key);

        assertThat(state.get("assignedHub").asText()).isEqualTo(HUB_1);
        assertThat(state.get("substatus").asText()).isEqualTo("deviceDataReset");
        HubDevice reset = hubDevice(HUB_1, "reset-2").orElseThrow();
        assertThat(reset.tags()).isEqualTo(json("{\"site\":\"lab\"}"));
        assertThat(reset.desiredProperties()).isEqualTo(json("{\"fw\":\"1.0\"}"));
    }

    // --- never ------------------------------------------------------------------------------------------

    @Test
    void neverKeepsTheHubAndTheDataWhenTheEnrollmentNamesAnotherHub() {
        String key = enroll("never-1", HUB_1, NEVER);
        register("never-1", key);
        changeTwinInHub(HUB_1, "never-1");
        enroll("never-1", HUB_2, NEVER);

        JsonNode state = register("never-1", key);

        assertThat(state.get("assignedHub").asText()).isEqualTo(HUB_1);
        assertThat(state.get("substatus").asText()).isEqualTo("initialAssignment");
        assertThat(hubDevice(HUB_1, "never-1").orElseThrow().desiredProperties()).isEqualTo(json("{\"fw\":\"2.0\"}"));
        assertThat(hubDevice(HUB_2, "never-1")).isEmpty();
    }

    @Test
    void neverAssignsADeviceAnewWhenItsHubIsNoLongerLinked() {
        String key = enroll("never-2", null, NEVER);
        String first = register("never-2", key).get("assignedHub").asText();
        String other = first.equals(HUB_1) ? HUB_2 : HUB_1;
        linkHubs(dps.instance.linkedHub(other).orElseThrow());

        JsonNode state = register("never-2", key);

        assertThat(state.get("assignedHub").asText()).isEqualTo(other);
        assertThat(state.get("substatus").asText()).isEqualTo("initialAssignment");
        assertThat(hubDevice(other, "never-2").orElseThrow().tags()).isEqualTo(json("{\"site\":\"lab\"}"));
    }

    // --- deleted registration state ---------------------------------------------------------------------

    @Test
    void aDeviceWhoseRegistrationStateWasDeletedIsAnInitialAssignmentAgain() {
        String key = enroll("deleted-1", HUB_1, MIGRATE);
        register("deleted-1", key);
        changeTwinInHub(HUB_1, "deleted-1");
        assertThat(dps.api.registrationState(dps.owner("DELETE").build(), "deleted-1").status()).isEqualTo(204);
        enroll("deleted-1", HUB_2, MIGRATE);

        JsonNode state = register("deleted-1", key);

        assertThat(state.get("assignedHub").asText()).isEqualTo(HUB_2);
        assertThat(state.get("substatus").asText()).isEqualTo("initialAssignment");
        assertThat(hubDevice(HUB_2, "deleted-1").orElseThrow().desiredProperties()).isEqualTo(json("{\"fw\":\"1.0\"}"));
        assertThat(hubDevice(HUB_1, "deleted-1")).as("DPS no longer knows where the device was").isPresent();
    }

    // --- hub failures -----------------------------------------------------------------------------------

    @Test
    void aMoveThatFailsAtTheHubLeavesTheRegistrationAsItWasAndRegisteringAgainFinishesIt() {
        String key = enroll("fail-1", HUB_1, MIGRATE);
        register("fail-1", key);
        changeTwinInHub(HUB_1, "fail-1");
        enroll("fail-1", HUB_2, MIGRATE);
        Stores stores = dps.application.stores();
        HubRegistry refusingDeletes = new HubRegistry() {
            @Override
            public HubDevice createOrUpdate(LinkedHub hub, HubDevice device) {
                return stores.hubs().createOrUpdate(hub, device);
            }

            @Override
            public Optional<HubDevice> find(LinkedHub hub, String deviceId) {
                return stores.hubs().find(hub, deviceId);
            }

            @Override
            public void delete(LinkedHub hub, String deviceId) {
                throw new IllegalStateException("the hub is unavailable");
            }

            @Override
            public Page<HubDevice> list(LinkedHub hub, int maxItems, String continuationToken) {
                return stores.hubs().list(hub, maxItems, continuationToken);
            }
        };
        DeviceApi flaky = new DeviceApi(new DeviceRegistrationService(
                new InstanceDirectory(stores.instances(), clock, Duration.ofSeconds(1)), stores.enrollments(),
                stores.enrollmentGroups(), stores.registrationStates(), stores.registrationOperations(),
                stores.tpmChallenges(), stores.caCertificates(), refusingDeletes, new HubAllocation(), clock,
                Duration.ofMinutes(5), Duration.ofDays(30)), clock);

        ApiResponse failed = registerResponse(flaky, "fail-1", key, null);
        JsonNode stateAfterFailure = body(dps.api.registrationState(dps.owner("GET").build(), "fail-1"));
        JsonNode retried = register("fail-1", key);

        assertThat(failed.status()).isEqualTo(400);
        assertThat(body(failed).get("errorCode").asInt()).isEqualTo(400209);
        assertThat(stateAfterFailure.get("assignedHub").asText()).isEqualTo(HUB_1);
        assertThat(retried.get("assignedHub").asText()).isEqualTo(HUB_2);
        assertThat(retried.get("substatus").asText()).isEqualTo("deviceDataMigrated");
        assertThat(hubDevice(HUB_2, "fail-1").orElseThrow().desiredProperties()).isEqualTo(json("{\"fw\":\"2.0\"}"));
        assertThat(hubDevice(HUB_1, "fail-1")).isEmpty();
    }

    // --- rolled credentials -----------------------------------------------------------------------------

    @Test
    void aRolledGroupKeyGivesTheReturningDeviceItsNewDerivedKeysInTheHub() {
        JsonNode group = putGroup("roll-group", "{\"attestation\":{\"type\":\"symmetricKey\"}}");
        String oldKey = SymmetricKeys.deriveDeviceKey(primaryKey(group), "roll-dev");
        String hub = register("roll-dev", oldKey).get("assignedHub").asText();
        String newPrimary = SymmetricKeys.generate();
        String newSecondary = SymmetricKeys.generate();
        putGroup("roll-group", "{\"attestation\":{\"type\":\"symmetricKey\",\"symmetricKey\":{\"primaryKey\":\""
                + newPrimary + "\",\"secondaryKey\":\"" + newSecondary + "\"}}}");
        String newKey = SymmetricKeys.deriveDeviceKey(newPrimary, "roll-dev");

        ApiResponse withOldKey = registerResponse("roll-dev", oldKey, null);
        JsonNode state = register("roll-dev", newKey);

        assertThat(withOldKey.status()).isEqualTo(401);
        assertThat(state.get("assignedHub").asText()).isEqualTo(hub);
        HubDevice device = hubDevice(hub, "roll-dev").orElseThrow();
        assertThat(device.authentication().primaryKey()).isEqualTo(newKey);
        assertThat(device.authentication().secondaryKey())
                .isEqualTo(SymmetricKeys.deriveDeviceKey(newSecondary, "roll-dev"));
    }

    @Test
    void aRenewedLeafCertificateMovesTheHubIdentitysThumbprint() throws Exception {
        Credential root = TestPki.rootCa("Renewal Root").issue();
        ApiResponse group = dps.api.enrollmentGroup(dps.owner("PUT").json("{\"attestation\":{\"type\":\"x509\","
                + "\"x509\":{\"signingCertificates\":{\"primary\":{\"certificate\":\""
                + root.certificatePem().replace("\n", "\\n") + "\"}}}}}").build(), "renewal-group");
        assertThat(group.status()).isEqualTo(200);
        Credential oldLeaf = TestPki.device("renewed-device", root).issue();
        Credential newLeaf = TestPki.device("renewed-device", root).issue();
        String hub = body(registerX509("renewed-device", oldLeaf)).at("/registrationState/assignedHub").asText();

        JsonNode renewed = body(registerX509("renewed-device", newLeaf)).get("registrationState");

        assertThat(renewed.get("assignedHub").asText()).isEqualTo(hub);
        HubDevice device = hubDevice(hub, "renewed-device").orElseThrow();
        assertThat(device.authentication().type()).isEqualTo("selfSigned");
        assertThat(device.authentication().primaryThumbprint()).isEqualToIgnoringCase(sha256(newLeaf))
                .isNotEqualToIgnoringCase(sha256(oldLeaf));
    }

    // --- helpers ----------------------------------------------------------------------------------------

    /** Puts (or replaces) a symmetric-key enrollment limited to {@code hub} (null: any) and returns its key. */
    private String enroll(String id, String hub, String policy) {
        Optional<JsonNode> existing = Optional.of(dps.api.individualEnrollment(dps.owner("GET").build(), id))
                .filter(r -> r.status() == 200).map(ServiceApiFixture::body);
        String keys = existing.map(e -> ",\"symmetricKey\":" + Json.string(e.at("/attestation/symmetricKey")))
                .orElse("");
        String hubs = hub == null ? "" : ",\"iotHubs\":[\"" + hub + "\"]";
        ServiceApiFixture.Request put = dps.owner("PUT");
        if (existing.isPresent()) {
            put.header("If-Match", "*");
        }
        ApiResponse response = dps.api.individualEnrollment(put.json(
                "{\"registrationId\":\"" + id + "\",\"attestation\":{\"type\":\"symmetricKey\"" + keys + "},"
                        + "\"capabilities\":{\"iotEdge\":true},\"initialTwin\":" + INITIAL_TWIN + hubs + policy + "}")
                .build(), id);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return primaryKey(body(response));
    }

    private JsonNode putGroup(String id, String json) {
        ServiceApiFixture.Request put = dps.owner("PUT");
        if (dps.api.enrollmentGroup(dps.owner("GET").build(), id).status() == 200) {
            put.header("If-Match", "*");
        }
        ApiResponse response = dps.api.enrollmentGroup(put.json(json).build(), id);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return body(response);
    }

    private static String primaryKey(JsonNode record) {
        return record.at("/attestation/symmetricKey/primaryKey").asText();
    }

    /** Registers and returns the registration state of an assigned device. */
    private JsonNode register(String registrationId, String key) {
        ApiResponse response = registerResponse(registrationId, key, null);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(202);
        JsonNode body = body(response);
        assertThat(body.get("status").asText()).as(body.toString()).isEqualTo("assigned");
        return body.get("registrationState");
    }

    private ApiResponse registerResponse(String registrationId, String key, String payload) {
        return registerResponse(devices, registrationId, key, payload);
    }

    private ApiResponse registerResponse(DeviceApi devices, String registrationId, String key, String payload) {
        String token = SharedAccessSignature.sign(scope + "/registrations/" + registrationId,
                SharedAccessSignature.decodeKey(key), Instant.now().plus(Duration.ofHours(1)), "registration");
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.put("Authorization", token);
        String body = "{\"registrationId\":\"" + registrationId + "\""
                + (payload == null ? "" : ",\"payload\":" + payload) + "}";
        return devices.register(new ApiRequest("PUT", headers, Map.of("api-version", "2019-03-31"),
                body.getBytes(StandardCharsets.UTF_8)), scope, registrationId);
    }

    private ApiResponse registerX509(String registrationId, Credential leaf) {
        return devices.register(new ApiRequest("PUT", Map.of("Content-Type", "application/json",
                DeviceApi.CLIENT_CERTIFICATE, leaf.base64Der()), Map.of("api-version", "2019-03-31"),
                ("{\"registrationId\":\"" + registrationId + "\"}").getBytes(StandardCharsets.UTF_8)), scope,
                registrationId);
    }

    private static String sha256(Credential credential) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(credential.certificate().getEncoded()));
    }

    private Optional<HubDevice> hubDevice(String hub, String deviceId) {
        return dps.application.stores().hubs().find(new LinkedHub(hub, 1, true, null), deviceId);
    }

    /** What a solution back end might do between registrations: tag the device and set a new desired version. */
    private void changeTwinInHub(String hub, String deviceId) {
        HubDevice device = hubDevice(hub, deviceId).orElseThrow();
        dps.application.stores().hubs().createOrUpdate(new LinkedHub(hub, 1, true, null), new HubDevice(hub, deviceId,
                device.authentication(), device.iotEdge(), device.enabled(), json("{\"site\":\"field\",\"owner\":\"ops\"}"),
                json("{\"fw\":\"2.0\"}"), null));
    }

    /** Links exactly {@code hubs} to the instance and moves the clock past the instance cache. */
    private void linkHubs(LinkedHub... hubs) {
        ProvisioningInstance current = dps.application.stores().instances().findByIdScope(scope).orElseThrow();
        dps.application.instanceBootstrap().configureHubs(current, List.of(hubs), AllocationPolicy.HASHED, 0);
        clock.advance(Duration.ofSeconds(2));
    }

    private static boolean on(String registrationId, String hub, LinkedHub... linked) {
        return WeightedHashAllocation.choose(registrationId, List.of(linked)).orElseThrow().hostName().equals(hub);
    }

    private static JsonNode json(String text) {
        return Json.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The system clock, which a test can move ahead (e.g. past the 1 s instance cache). */
    static final class MovableClock extends Clock {
        private volatile Duration offset = Duration.ZERO;

        void advance(Duration by) {
            offset = offset.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }
    }
}
