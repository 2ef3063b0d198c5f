package dev.opendps.frontdoor.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProvider;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderSymmetricKey;
import com.microsoft.azure.sdk.iot.provisioning.security.hsm.SecurityProviderX509Cert;
import dev.opendps.domain.RegistrationStatus;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.frontdoor.FrontDoorFixture;
import dev.opendps.frontdoor.SdkPorts;
import dev.opendps.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Java device SDK ({@code provisioning-device-client} 2.1.3) registering over MQTT and MQTT over
 * WebSockets, unchanged, against the front door on the ports it dials (8883, 443: see {@link SdkPorts}); custom
 * trust through the SDK's extension point, {@code SecurityProvider.getSSLContext()}.
 */
class JavaDeviceSdkMqttTest {
    /**
     * The SDK waits for each answer with a lock that loses a wake-up arriving before it waits, and then sits out
     * its 60 s timeout (sdk-wire-notes.md): a registration taking this long has met it.
     */
    private static final Duration STALL = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;

    static FrontDoorFixture dps;

    @BeforeAll
    static void start() throws Exception {
        dps = SdkPorts.start(dataDir, SdkPorts.MQTT, 0, SdkPorts.WEBSOCKET);
    }

    @AfterAll
    static void stop() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    private static SecurityProviderSymmetricKey symmetricKey(String registrationId, String key) throws Exception {
        SSLContext trust = dps.clientSslContext();
        return new SecurityProviderSymmetricKey(key.getBytes(StandardCharsets.UTF_8), registrationId) {
            @Override
            public SSLContext getSSLContext() {
                return trust;
            }
        };
    }

    private static SecurityProviderX509Cert x509(TestPki.Credential leaf) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        char[] password = "device".toCharArray();
        keys.setKeyEntry("device", leaf.privateKey(), password, new java.security.cert.Certificate[] {leaf.certificate()});
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        SSLContext context = dps.clientSslContext(keyManagers.getKeyManagers());
        return new SecurityProviderX509Cert(leaf.certificate(), leaf.privateKey(), List.of()) {
            @Override
            public SSLContext getSSLContext() {
                return context;
            }
        };
    }

    private static ProvisioningDeviceClientRegistrationResult register(ProvisioningDeviceClientTransportProtocol transport,
                                                                      SecurityProvider device) throws Exception {
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create("localhost", dps.idScope(), transport, device);
        long started = System.nanoTime();
        try {
            return client.registerDeviceSync();
        } finally {
            client.close();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("registration time").isLessThan(STALL);
        }
    }

    private static void assertAssigned(ProvisioningDeviceClientRegistrationResult result, String registrationId) {
        assertThat(result.getProvisioningDeviceClientStatus())
                .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(result.getIothubUri()).isIn("local-hub-1.localhost", "local-hub-2.localhost");
        assertThat(result.getDeviceId()).isEqualTo(registrationId);
        assertThat(dps.registration(registrationId).orElseThrow().status()).isEqualTo(RegistrationStatus.ASSIGNED);
        assertThat(dps.registration(registrationId).orElseThrow().assignedHub()).isEqualTo(result.getIothubUri());
    }

    @Test
    void aSymmetricKeyDeviceRegistersOverMqtt() throws Exception {
        String key = dps.enrollSymmetricKey("java-mqtt-1");

        ProvisioningDeviceClientRegistrationResult result = register(ProvisioningDeviceClientTransportProtocol.MQTT,
                symmetricKey("java-mqtt-1", key));

        assertAssigned(result, "java-mqtt-1");
    }

    @Test
    void devicesRegisteringOneAfterAnotherNeverWaitOutTheSdksLostWakeUp() throws Exception {
        for (int i = 0; i < 10; i++) {
            String registrationId = "java-mqtt-series-" + i;
            String key = dps.enrollSymmetricKey(registrationId);

            assertAssigned(register(ProvisioningDeviceClientTransportProtocol.MQTT, symmetricKey(registrationId, key)),
                    registrationId);
        }
    }

    @Test
    void anX509DeviceRegistersOverMqttWithItsTlsClientCertificate() throws Exception {
        TestPki.Credential leaf = TestPki.device("java-mqtt-x509").selfSigned().issue();
        dps.enrollX509("java-mqtt-x509", leaf);

        ProvisioningDeviceClientRegistrationResult result = register(ProvisioningDeviceClientTransportProtocol.MQTT,
                x509(leaf));

        assertAssigned(result, "java-mqtt-x509");
    }

    @Test
    void aSymmetricKeyDeviceRegistersOverMqttWebSockets() throws Exception {
        String key = dps.enrollSymmetricKey("java-mqtt-ws");

        ProvisioningDeviceClientRegistrationResult result = register(ProvisioningDeviceClientTransportProtocol.MQTT_WS,
                symmetricKey("java-mqtt-ws", key));

        assertAssigned(result, "java-mqtt-ws");
    }

    @Test
    void aWrongKeyFailsTheRegistrationAndChangesNothing() throws Exception {
        dps.enrollSymmetricKey("java-mqtt-wrong-key");

        assertThatThrownBy(() -> register(ProvisioningDeviceClientTransportProtocol.MQTT,
                symmetricKey("java-mqtt-wrong-key", SymmetricKeys.generate())))
                .isInstanceOf(Exception.class);
        assertThat(dps.registration("java-mqtt-wrong-key")).isEmpty();
    }
}
