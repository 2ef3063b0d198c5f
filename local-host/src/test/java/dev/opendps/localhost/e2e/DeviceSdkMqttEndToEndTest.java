package dev.opendps.localhost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderSymmetricKey;
import com.microsoft.azure.sdk.iot.provisioning.service.ProvisioningServiceClient;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.DeviceRegistrationState;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.IndividualEnrollment;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.SymmetricKeyAttestation;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.TwinCollection;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.TwinState;
import dev.opendps.domain.HubDevice;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Java device SDK (2.1.3) registering a symmetric-key device over MQTT through the whole local stack:
 * enrolled with the official service SDK over HTTPS, registered through the front door the local stack starts,
 * read back with the service SDK and in the embedded hub registry. The SDK dials MQTT on 8883 only, so this binds
 * 8883 on 127.0.0.1 (run it under {@code flock /tmp/opendps-ports.lock}); where that port cannot be bound it is
 * skipped, except on CI.
 */
class DeviceSdkMqttEndToEndTest {
    private static final int SDK_MQTT_PORT = 8883;

    @TempDir
    static Path dataDir;

    static LocalStackFixture dps;
    static ProvisioningServiceClient service;

    @BeforeAll
    static void startTheLocalStack() throws Exception {
        try {
            dps = new LocalStackFixture(dataDir, Map.of("DPS_MQTT_PORT", String.valueOf(SDK_MQTT_PORT)), false);
        } catch (java.io.IOException e) {
            Throwable cause = e;
            while (cause != null && !(cause instanceof BindException)) {
                cause = cause.getCause();
            }
            if (cause == null) {
                throw e;
            }
            String message = "Port " + SDK_MQTT_PORT + " cannot be bound here (" + e.getMessage() + ")";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message + "; CI runs as root with the port free, so this is a failure there.");
            }
            Assumptions.abort(message);
        }
        service = dps.serviceClient();
    }

    @AfterAll
    static void stopTheLocalStack() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    @Test
    void aSymmetricKeyDeviceRegistersOverMqttThroughTheLocalStack() throws Exception {
        IndividualEnrollment enrollment = new IndividualEnrollment("java-mqtt-e2e",
                new SymmetricKeyAttestation((String) null, null));
        TwinCollection tags = new TwinCollection();
        tags.put("transport", "mqtt");
        enrollment.setInitialTwin(new TwinState(tags, new TwinCollection()));
        enrollment = service.createOrUpdateIndividualEnrollment(enrollment);
        String key = ((SymmetricKeyAttestation) enrollment.getAttestation()).getPrimaryKey();
        SSLContext trust = dps.trust;
        SecurityProviderSymmetricKey device = new SecurityProviderSymmetricKey(key.getBytes(StandardCharsets.UTF_8),
                "java-mqtt-e2e") {
            @Override
            public SSLContext getSSLContext() {
                return trust;
            }
        };

        ProvisioningDeviceClient client = ProvisioningDeviceClient.create("localhost", dps.instance.idScope(),
                ProvisioningDeviceClientTransportProtocol.MQTT, device);
        ProvisioningDeviceClientRegistrationResult result;
        try {
            result = client.registerDeviceSync();
        } finally {
            client.close();
        }

        assertThat(result.getProvisioningDeviceClientStatus())
                .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(result.getIothubUri()).isIn("local-hub-1.localhost", "local-hub-2.localhost");
        assertThat(result.getDeviceId()).isEqualTo("java-mqtt-e2e");
        DeviceRegistrationState state = service.getDeviceRegistrationState("java-mqtt-e2e");
        assertThat(state.getAssignedHub()).isEqualTo(result.getIothubUri());
        HubDevice identity = dps.hubDevice(result.getIothubUri(), "java-mqtt-e2e").orElseThrow();
        assertThat(identity.authentication().primaryKey()).isEqualTo(key);
        assertThat(identity.tags().get("transport").asText()).isEqualTo("mqtt");
    }

    @Test
    void theConnectionFileNamesTheFrontDoorsPorts() throws Exception {
        JsonNode connection = new ObjectMapper().readTree(dps.stack.connectionFile().toFile());

        assertThat(connection.at("/frontDoor/host").asText()).isEqualTo("localhost");
        assertThat(connection.at("/frontDoor/ports/mqtt").asInt()).isEqualTo(SDK_MQTT_PORT);
        assertThat(connection.at("/frontDoor/ports/websocket").asInt()).isEqualTo(dps.frontDoorPort("websocket"));
    }
}
