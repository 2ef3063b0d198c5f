package dev.opendps.localhost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.azure.sdk.iot.provisioning.device.AdditionalData;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientSubstatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderSymmetricKey;
import com.microsoft.azure.sdk.iot.provisioning.service.ProvisioningServiceClient;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.AllocationPolicy;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.CustomAllocationDefinition;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.EnrollmentGroup;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.IndividualEnrollment;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.ReprovisionPolicy;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.SymmetricKeyAttestation;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.TwinCollection;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.TwinState;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Allocation end to end (dps-protocol.md §5, §6): the official Java device SDK registering with symmetric keys
 * against the local stack, which also hosts the custom allocation functions app; enrollments made with the
 * official service SDK. Every policy (static, geoLatency, custom through each allocation function) and every
 * reprovisioning mode (migrate, reset, never).
 */
class AllocationEndToEndTest {
    private static final String HUB_1 = "local-hub-1.localhost";
    private static final String HUB_2 = "local-hub-2.localhost";
    private static final String PLACES = "{\"" + HUB_1 + "\":{\"region\":\"westeurope\"},\"" + HUB_2
            + "\":{\"region\":\"eastus\"}}";

    @TempDir
    static Path dataDir;

    static LocalStackFixture dps;
    static ProvisioningServiceClient service;

    @BeforeAll
    static void startTheLocalStackWithTheAllocationFunctions() throws Exception {
        dps = new LocalStackFixture(dataDir, Map.of(
                "DPS_HUB_LOCATIONS", PLACES,
                "ALLOCATION_GEO_HUBS", PLACES,
                "ALLOCATION_SOLUTIONS", "{\"kitchen\":{\"hubs\":[\"" + HUB_1 + "\"],\"deviceTypes\":[\"toaster\"],"
                        + "\"initialTwin\":{\"tags\":{\"line\":\"appliances\"}}}}"), true);
        service = dps.serviceClient();
    }

    @AfterAll
    static void stopTheLocalStack() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    // --- device and enrollment helpers ------------------------------------------------------------------

    private static ProvisioningDeviceClientRegistrationResult register(String key, String registrationId, String payload)
            throws Exception {
        SSLContext trust = dps.trust;
        SecurityProviderSymmetricKey device = new SecurityProviderSymmetricKey(key.getBytes(StandardCharsets.UTF_8),
                registrationId) {
            @Override
            public SSLContext getSSLContext() {
                return trust;
            }
        };
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create(dps.globalEndpoint(), dps.instance.idScope(),
                ProvisioningDeviceClientTransportProtocol.HTTPS, device);
        try {
            if (payload == null) {
                return client.registerDeviceSync();
            }
            AdditionalData data = new AdditionalData();
            data.setProvisioningPayload(payload);
            return client.registerDeviceSync(data);
        } finally {
            client.close();
        }
    }

    private static IndividualEnrollment individual(String registrationId, AllocationPolicy policy, String... hubs)
            throws Exception {
        IndividualEnrollment enrollment = new IndividualEnrollment(registrationId,
                new SymmetricKeyAttestation((String) null, null));
        enrollment.setAllocationPolicy(policy);
        if (hubs.length > 0) {
            enrollment.setIotHubs(List.of(hubs));
        }
        TwinCollection tags = new TwinCollection();
        tags.put("origin", "enrollment");
        enrollment.setInitialTwin(new TwinState(tags, new TwinCollection()));
        return enrollment;
    }

    private static String key(IndividualEnrollment enrollment) throws Exception {
        return ((SymmetricKeyAttestation) enrollment.getAttestation()).getPrimaryKey();
    }

    /** A group whose devices are allocated by one of the allocation functions, through its function key. */
    private static EnrollmentGroup customGroup(String groupId, String function) throws Exception {
        EnrollmentGroup group = new EnrollmentGroup(groupId, new SymmetricKeyAttestation((String) null, null));
        group.setAllocationPolicy(AllocationPolicy.CUSTOM);
        CustomAllocationDefinition webhook = new CustomAllocationDefinition();
        String functionKey = dps.stack.host().app("opendps-allocation-functions").orElseThrow().keys().functionKey();
        webhook.setWebhookUrl("https://localhost:" + dps.stack.host().port() + "/api/allocation/" + function
                + "?code=" + functionKey);
        webhook.setApiVersion("2021-10-01");
        group.setCustomAllocationDefinition(webhook);
        return service.createOrUpdateEnrollmentGroup(group);
    }

    private static String deviceKey(EnrollmentGroup group, String registrationId) throws Exception {
        return SymmetricKeys.deriveDeviceKey(((SymmetricKeyAttestation) group.getAttestation()).getPrimaryKey(),
                registrationId);
    }

    private static void assertAssigned(ProvisioningDeviceClientRegistrationResult result, String hub) {
        assertThat(result.getProvisioningDeviceClientStatus())
                .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(result.getIothubUri()).isEqualTo(hub);
    }

    private static HubDevice identity(String hub, String deviceId) throws Exception {
        return dps.hubDevice(hub, deviceId).orElseThrow(() -> new AssertionError(deviceId + " is not in " + hub));
    }

    // --- built-in policies ------------------------------------------------------------------------------

    @Test
    void hashedPolicySpreadsAGroupsDevicesOverTheLinkedHubsAndKeepsEachOnItsHub() throws Exception {
        EnrollmentGroup group = new EnrollmentGroup("alloc-hashed", new SymmetricKeyAttestation((String) null, null));
        group.setAllocationPolicy(AllocationPolicy.HASHED);
        group = service.createOrUpdateEnrollmentGroup(group);
        java.util.Set<String> hubs = new java.util.HashSet<>();
        for (int i = 0; i < 8; i++) {
            String id = "alloc-hashed-" + i;
            ProvisioningDeviceClientRegistrationResult first = register(deviceKey(group, id), id, null);
            hubs.add(first.getIothubUri());
            if (i == 0) {
                assertThat(register(deviceKey(group, id), id, null).getIothubUri()).as("stable per device")
                        .isEqualTo(first.getIothubUri());
            }
        }
        assertThat(hubs).containsExactlyInAnyOrder(HUB_1, HUB_2);
    }

    @Test
    void staticPolicyAssignsTheEnrollmentsHub() throws Exception {
        IndividualEnrollment enrollment = service.createOrUpdateIndividualEnrollment(
                individual("alloc-static-1", AllocationPolicy.STATIC, HUB_2));

        assertAssigned(register(key(enrollment), "alloc-static-1", null), HUB_2);
    }

    @Test
    void theExplainEndpointPredictsTheAllocationWithoutRegistering() throws Exception {
        service.createOrUpdateIndividualEnrollment(individual("alloc-explained-1", AllocationPolicy.STATIC, HUB_2));
        dev.opendps.domain.SharedAccessPolicy owner = dps.instance.policy(dev.opendps.domain.SharedAccessPolicy.OWNER)
                .orElseThrow();
        String token = dev.opendps.domain.auth.SharedAccessSignature.sign(dps.instance.hostName(),
                dev.opendps.domain.auth.SharedAccessSignature.decodeKey(owner.primaryKey()),
                java.time.Instant.now().plusSeconds(600), owner.keyName());

        HttpResponse<String> explained = HttpClient.newBuilder().sslContext(dps.trust).build().send(HttpRequest
                .newBuilder(dps.stack.host().baseUri().resolve("/explain/alloc-explained-1?api-version=2021-10-01"))
                .header("Authorization", token).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{}")).build(), BodyHandlers.ofString());

        assertThat(explained.statusCode()).as(explained.body()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode outcome = Json.parse(explained.body().getBytes(StandardCharsets.UTF_8))
                .get("outcome");
        assertThat(outcome.get("status").asText()).isEqualTo("assigned");
        assertThat(outcome.get("assignedHub").asText()).isEqualTo(HUB_2);
        assertThatThrownBy(() -> service.getDeviceRegistrationState("alloc-explained-1"))
                .as("explaining registers nothing")
                .isInstanceOf(com.microsoft.azure.sdk.iot.provisioning.service.exceptions
                        .ProvisioningServiceClientNotFoundException.class);
        assertThat(dps.hubDevice(HUB_2, "alloc-explained-1")).isEmpty();
    }

    @Test
    void geoLatencyPicksTheHubNearestTheLocationInThePayload() throws Exception {
        IndividualEnrollment newYork = service.createOrUpdateIndividualEnrollment(
                individual("alloc-geo-ny", AllocationPolicy.GEOLATENCY));
        IndividualEnrollment dublin = service.createOrUpdateIndividualEnrollment(
                individual("alloc-geo-dublin", AllocationPolicy.GEOLATENCY));

        assertAssigned(register(key(newYork), "alloc-geo-ny", "{\"location\":{\"lat\":40.71,\"lon\":-74.01}}"), HUB_2);
        assertAssigned(register(key(dublin), "alloc-geo-dublin", "{\"region\":\"northeurope\"}"), HUB_1);
    }

    // --- custom allocation through the allocation functions ---------------------------------------------

    @Test
    void multitenancyAssignsASoldDeviceToItsTenantsHubAndRefusesAnUnsoldOne() throws Exception {
        String masterKey = dps.stack.host().app("opendps-allocation-functions").orElseThrow().keys().masterKey();
        HttpResponse<String> upload = HttpClient.newBuilder().sslContext(dps.trust).build().send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + dps.stack.host().port() + "/api/allocation/multitenancy/records"))
                .header("x-functions-key", masterKey).header("Content-Type", "application/json")
                .PUT(BodyPublishers.ofString("{\"tenants\":{\"contoso\":{\"name\":\"Contoso Ltd\",\"hubs\":[\"" + HUB_2
                        + "\"]}},\"sales\":[{\"serialNumber\":\"SN-7734\",\"tenant\":\"contoso\"}]}"))
                .build(), BodyHandlers.ofString());
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
        EnrollmentGroup group = customGroup("alloc-tenants", "multitenancy");

        ProvisioningDeviceClientRegistrationResult sold = register(deviceKey(group, "alloc-mt-sold"), "alloc-mt-sold",
                "{\"serialNumber\":\"SN-7734\"}");

        assertAssigned(sold, HUB_2);
        assertThat(identity(HUB_2, "alloc-mt-sold").tags().get("tenant").asText()).isEqualTo("contoso");
        assertThat(Json.parse(sold.getProvisioningPayload().getBytes(StandardCharsets.UTF_8)).get("tenant").asText())
                .isEqualTo("contoso");
        assertThatThrownBy(() -> register(deviceKey(group, "alloc-mt-unsold"), "alloc-mt-unsold",
                "{\"serialNumber\":\"SN-0000\"}")).hasMessageContaining("Custom allocation failed");
        assertThat(dps.hubDevice(HUB_1, "alloc-mt-unsold")).isEmpty();
        assertThat(dps.hubDevice(HUB_2, "alloc-mt-unsold")).isEmpty();
    }

    @Test
    void geoShardingAssignsTheNearestHub() throws Exception {
        EnrollmentGroup group = customGroup("alloc-geo-shards", "geo-sharding");

        assertAssigned(register(deviceKey(group, "alloc-gs-ny"), "alloc-gs-ny",
                "{\"location\":{\"lat\":40.71,\"lon\":-74.01}}"), HUB_2);
        ProvisioningDeviceClientRegistrationResult amsterdam = register(deviceKey(group, "alloc-gs-ams"), "alloc-gs-ams",
                "{\"location\":{\"lat\":52.37,\"lon\":4.9}}");
        assertAssigned(amsterdam, HUB_1);
        assertThat(identity(HUB_1, "alloc-gs-ams").tags().get("region").asText()).isEqualTo("westeurope");
    }

    @Test
    void solutionIsolationRoutesByDeviceTypeWithTheSolutionsTwin() throws Exception {
        EnrollmentGroup group = customGroup("alloc-solutions", "solution-isolation");

        assertAssigned(register(deviceKey(group, "alloc-toaster-1"), "alloc-toaster-1", "{\"deviceType\":\"toaster\"}"),
                HUB_1);
        HubDevice toaster = identity(HUB_1, "alloc-toaster-1");
        assertThat(toaster.tags().get("solution").asText()).isEqualTo("kitchen");
        assertThat(toaster.tags().get("line").asText()).isEqualTo("appliances");
        assertThatThrownBy(() -> register(deviceKey(group, "alloc-kettle-1"), "alloc-kettle-1",
                "{\"deviceType\":\"kettle\"}")).hasMessageContaining("Custom allocation failed");
    }

    // --- reprovisioning -----------------------------------------------------------------------------------

    /**
     * Registers on hub 1, lets "the solution" write a tag to the identity there, then moves the enrollment to
     * hub 2 with the given policy and registers again.
     */
    private static ProvisioningDeviceClientRegistrationResult moveWith(String registrationId, boolean updateHubAssignment,
                                                                       boolean migrateDeviceData) throws Exception {
        IndividualEnrollment enrollment = individual(registrationId, AllocationPolicy.STATIC, HUB_1);
        ReprovisionPolicy policy = new ReprovisionPolicy();
        policy.setUpdateHubAssignment(updateHubAssignment);
        policy.setMigrateDeviceData(migrateDeviceData);
        enrollment.setReprovisionPolicy(policy);
        enrollment = service.createOrUpdateIndividualEnrollment(enrollment);
        assertAssigned(register(key(enrollment), registrationId, null), HUB_1);
        HubDevice onHub1 = identity(HUB_1, registrationId);
        ObjectNode tags = ((ObjectNode) onHub1.tags()).put("edited", "by the solution");
        dps.putHubDevice(new HubDevice(HUB_1, registrationId, onHub1.authentication(), onHub1.iotEdge(), true, tags,
                onHub1.desiredProperties(), null));

        enrollment.setIotHubs(List.of(HUB_2));
        enrollment = service.createOrUpdateIndividualEnrollment(enrollment);
        return register(key(enrollment), registrationId, null);
    }

    @Test
    void migrateMovesTheIdentityWithItsTwin() throws Exception {
        ProvisioningDeviceClientRegistrationResult moved = moveWith("alloc-migrate-1", true, true);

        assertAssigned(moved, HUB_2);
        assertThat(moved.getSubstatus()).isEqualTo(ProvisioningDeviceClientSubstatus.DEVICE_DATA_MIGRATED);
        assertThat(identity(HUB_2, "alloc-migrate-1").tags().get("edited").asText()).isEqualTo("by the solution");
        assertThat(dps.hubDevice(HUB_1, "alloc-migrate-1")).as("removed from the old hub").isEmpty();
    }

    @Test
    void resetMovesTheIdentityWithTheInitialTwin() throws Exception {
        ProvisioningDeviceClientRegistrationResult moved = moveWith("alloc-reset-1", true, false);

        assertAssigned(moved, HUB_2);
        assertThat(moved.getSubstatus()).isEqualTo(ProvisioningDeviceClientSubstatus.DEVICE_DATA_RESET);
        HubDevice onHub2 = identity(HUB_2, "alloc-reset-1");
        assertThat(onHub2.tags().get("origin").asText()).isEqualTo("enrollment");
        assertThat(onHub2.tags().has("edited")).isFalse();
        assertThat(dps.hubDevice(HUB_1, "alloc-reset-1")).isEmpty();
    }

    @Test
    void neverKeepsTheDeviceOnItsHub() throws Exception {
        ProvisioningDeviceClientRegistrationResult stayed = moveWith("alloc-never-1", false, false);

        assertAssigned(stayed, HUB_1);
        assertThat(stayed.getSubstatus()).isEqualTo(ProvisioningDeviceClientSubstatus.INITIAL_ASSIGNMENT);
        assertThat(identity(HUB_1, "alloc-never-1").tags().get("edited").asText()).isEqualTo("by the solution");
        assertThat(dps.hubDevice(HUB_2, "alloc-never-1")).isEmpty();
    }
}
