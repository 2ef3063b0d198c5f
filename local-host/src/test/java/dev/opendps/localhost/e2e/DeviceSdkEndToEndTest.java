package dev.opendps.localhost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderSymmetricKey;
import com.microsoft.azure.sdk.iot.provisioning.service.ProvisioningServiceClient;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.DeviceRegistrationState;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.EnrollmentGroup;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.IndividualEnrollment;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.ProvisioningStatus;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.SymmetricKeyAttestation;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.TwinCollection;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.TwinState;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.SymmetricKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Java device SDK ({@code provisioning-device-client} 2.1.3 with the symmetric-key security
 * provider) registering over HTTPS against the running local stack, unchanged; outcomes read back with the
 * official service SDK and in the embedded hub registry.
 */
class DeviceSdkEndToEndTest {
    @TempDir
    static Path dataDir;

    static LocalStackFixture dps;
    static ProvisioningServiceClient service;

    @BeforeAll
    static void startTheLocalStack() throws Exception {
        startTheLocalStack(Map.of());
    }

    /** With app settings such as another store (a subclass hides the no-argument {@code @BeforeAll}). */
    static void startTheLocalStack(Map<String, String> settings) throws Exception {
        dps = new LocalStackFixture(dataDir, settings, false);
        service = dps.serviceClient();
    }

    @AfterAll
    static void stopTheLocalStack() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    /** The SDK's own extension point for a custom trust: the security provider's SSL context. */
    private static SecurityProviderSymmetricKey device(String base64Key, String registrationId) {
        SSLContext trust = dps.trust;
        return new SecurityProviderSymmetricKey(base64Key.getBytes(StandardCharsets.UTF_8), registrationId) {
            @Override
            public SSLContext getSSLContext() {
                return trust;
            }
        };
    }

    private static ProvisioningDeviceClientRegistrationResult register(String base64Key, String registrationId)
            throws Exception {
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create(dps.globalEndpoint(), dps.instance.idScope(),
                ProvisioningDeviceClientTransportProtocol.HTTPS, device(base64Key, registrationId));
        try {
            return client.registerDeviceSync();
        } finally {
            client.close();
        }
    }

    private static IndividualEnrollment enroll(String registrationId) throws Exception {
        IndividualEnrollment enrollment = new IndividualEnrollment(registrationId,
                new SymmetricKeyAttestation((String) null, null));
        TwinCollection tags = new TwinCollection();
        tags.put("building", "43");
        TwinCollection desired = new TwinCollection();
        desired.put("telemetryInterval", 30);
        enrollment.setInitialTwin(new TwinState(tags, desired));
        return service.createOrUpdateIndividualEnrollment(enrollment);
    }

    private static String primary(Object enrollmentOrGroup) throws Exception {
        Object attestation = enrollmentOrGroup instanceof IndividualEnrollment e ? e.getAttestation()
                : ((EnrollmentGroup) enrollmentOrGroup).getAttestation();
        return ((SymmetricKeyAttestation) attestation).getPrimaryKey();
    }

    private static String secondary(IndividualEnrollment enrollment) throws Exception {
        return ((SymmetricKeyAttestation) enrollment.getAttestation()).getSecondaryKey();
    }

    @Test
    void anIndividualDeviceRegistersWithItsPrimaryThenSecondaryKey() throws Exception {
        IndividualEnrollment enrollment = enroll("java-device-1");

        ProvisioningDeviceClientRegistrationResult first = register(primary(enrollment), "java-device-1");
        ProvisioningDeviceClientRegistrationResult second = register(secondary(enrollment), "java-device-1");

        assertThat(first.getProvisioningDeviceClientStatus())
                .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(first.getIothubUri()).isIn("local-hub-1.localhost", "local-hub-2.localhost");
        assertThat(first.getDeviceId()).isEqualTo("java-device-1");
        assertThat(second.getIothubUri()).as("re-registration keeps the hub").isEqualTo(first.getIothubUri());
        assertThat(second.getDeviceId()).isEqualTo(first.getDeviceId());

        DeviceRegistrationState state = service.getDeviceRegistrationState("java-device-1");
        assertThat(state.getAssignedHub()).isEqualTo(first.getIothubUri());
        assertThat(state.getDeviceId()).isEqualTo("java-device-1");
        assertThat(state.getStatus().name()).isEqualTo("ASSIGNED");

        HubDevice identity = dps.hubDevice(first.getIothubUri(), "java-device-1").orElseThrow();
        assertThat(identity.authentication().primaryKey()).isEqualTo(primary(enrollment));
        assertThat(identity.tags().get("building").asText()).isEqualTo("43");
        assertThat(identity.desiredProperties().get("telemetryInterval").asInt()).isEqualTo(30);
    }

    @Test
    void twoDevicesOfAGroupRegisterWithDerivedKeys() throws Exception {
        EnrollmentGroup group = service.createOrUpdateEnrollmentGroup(
                new EnrollmentGroup("java-group-1", new SymmetricKeyAttestation((String) null, null)));

        ProvisioningDeviceClientRegistrationResult a = register(
                SymmetricKeys.deriveDeviceKey(primary(group), "java-group-device-a"), "java-group-device-a");
        ProvisioningDeviceClientRegistrationResult b = register(
                SymmetricKeys.deriveDeviceKey(primary(group), "java-group-device-b"), "java-group-device-b");

        assertThat(a.getProvisioningDeviceClientStatus())
                .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(b.getProvisioningDeviceClientStatus())
                .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(service.getDeviceRegistrationState("java-group-device-b").getAssignedHub())
                .isEqualTo(b.getIothubUri());
        assertThat(dps.hubDevice(a.getIothubUri(), "java-group-device-a").orElseThrow().authentication().primaryKey())
                .isEqualTo(SymmetricKeys.deriveDeviceKey(primary(group), "java-group-device-a"));
    }

    @Test
    void theLocalHubRegistryShowsIdentitiesToTheMasterKeyOnly() throws Exception {
        IndividualEnrollment enrollment = enroll("java-device-4");
        String hub = register(primary(enrollment), "java-device-4").getIothubUri();
        HttpClient http = HttpClient.newBuilder().sslContext(dps.trust).build();
        URI device = dps.stack.host().baseUri().resolve("/localhubs/" + hub + "/devices/java-device-4");
        String masterKey = dps.stack.host().app("opendps-functions").orElseThrow().keys().masterKey();

        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(device).build(), BodyHandlers.ofString());
        HttpResponse<String> admin = http.send(HttpRequest.newBuilder(device).header("x-functions-key", masterKey)
                .build(), BodyHandlers.ofString());
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(device.resolve("../devices"))
                .header("x-functions-key", masterKey).build(), BodyHandlers.ofString());

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.body()).contains("\"deviceId\":\"java-device-4\"").contains("\"building\":\"43\"")
                .contains(primary(enrollment));
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("java-device-4");
    }

    @Test
    void healthAndMetricsAreServedByTheFunctionsApp() throws Exception {
        IndividualEnrollment enrollment = enroll("java-device-metrics");
        String hub = register(primary(enrollment), "java-device-metrics").getIothubUri();
        HttpClient http = HttpClient.newBuilder().sslContext(dps.trust).build();
        URI base = dps.stack.host().baseUri();
        String masterKey = dps.stack.host().app("opendps-functions").orElseThrow().keys().masterKey();

        HttpResponse<String> health = http.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
                BodyHandlers.ofString());
        HttpResponse<String> anonymousMetrics = http.send(HttpRequest.newBuilder(base.resolve("/diagnostics/metrics"))
                .build(), BodyHandlers.ofString());
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(base.resolve("/diagnostics/metrics"))
                .header("x-functions-key", masterKey).build(), BodyHandlers.ofString());

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"healthy\"").contains("\"store\":\"ok\"");
        assertThat(anonymousMetrics.statusCode()).isEqualTo(401);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("DeviceAssignments_total{").contains("hub=\"" + hub + "\"")
                .contains("AttestationAttempts_total{");
    }

    @Test
    void aWrongKeyIsRefusedAndChangesNothing() throws Exception {
        enroll("java-device-2");

        assertThatThrownBy(() -> register(SymmetricKeys.generate(), "java-device-2")).rootCause().hasMessageContaining("401");
        assertThatThrownBy(() -> service.getDeviceRegistrationState("java-device-2"))
                .isInstanceOf(com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientNotFoundException.class);
    }

    @Test
    void anUnknownRegistrationIdIsRefused() {
        assertThatThrownBy(() -> register(SymmetricKeys.generate(), "java-nobody")).rootCause().hasMessageContaining("401");
    }

    @Test
    void aDisabledEnrollmentEndsInStatusDisabled() throws Exception {
        IndividualEnrollment enrollment = enroll("java-device-3");
        enrollment.setProvisioningStatus(ProvisioningStatus.DISABLED);
        service.createOrUpdateIndividualEnrollment(enrollment);

        String key = primary(enrollment);
        assertThatThrownBy(() -> register(key, "java-device-3")).hasMessageContaining("disabled");
        assertThat(service.getDeviceRegistrationState("java-device-3").getStatus().name()).isEqualTo("DISABLED");
    }
}
