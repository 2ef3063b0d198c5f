package dev.opendps.frontdoor.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProvider;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderSymmetricKey;
import com.microsoft.azure.sdk.iot.provisioning.security.hsm.SecurityProviderX509Cert;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.frontdoor.FrontDoorFixture;
import dev.opendps.frontdoor.SdkPorts;
import dev.opendps.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Java device SDK 2.1.3 registering over AMQP against the front door (dps-protocol.md §3.2): a
 * symmetric-key device with SASL PLAIN over AMQPS (5671) and over AMQPS_WS (443, {@code AMQPWSB10}), and an X.509
 * device with no SASL layer, authenticated by its TLS client certificate. The SDK dials those fixed ports on
 * {@code localhost}; trust in the test CA comes through the provider's {@code getSSLContext()}, the SDK's own
 * extension point.
 */
class AmqpDeviceSdkTest {
    @TempDir
    static Path dataDir;

    static FrontDoorFixture dps;

    @BeforeAll
    static void start() throws Exception {
        dps = SdkPorts.start(dataDir, 0, SdkPorts.AMQPS, SdkPorts.WEBSOCKET);
    }

    @AfterAll
    static void stop() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    private static ProvisioningDeviceClientRegistrationResult register(
            ProvisioningDeviceClientTransportProtocol protocol, SecurityProvider device) throws Exception {
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create(FrontDoorFixture.HOST, dps.idScope(),
                protocol, device);
        try {
            return client.registerDeviceSync();
        } finally {
            client.close();
        }
    }

    private static SecurityProviderSymmetricKey symmetricKeyDevice(String registrationId, String base64Key)
            throws Exception {
        SSLContext trust = dps.clientSslContext();
        return new SecurityProviderSymmetricKey(base64Key.getBytes(StandardCharsets.UTF_8), registrationId) {
            @Override
            public SSLContext getSSLContext() {
                return trust;
            }
        };
    }

    /** What the SDK returned and what the store holds agree: assigned, on the same hub, as this device. */
    private static void assertAssigned(ProvisioningDeviceClientRegistrationResult result, String registrationId,
                                       String attestation) {
        assertThat(result.getProvisioningDeviceClientStatus())
                .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(result.getRegistrationId()).isEqualTo(registrationId);
        assertThat(result.getDeviceId()).isEqualTo(registrationId);
        DeviceRegistrationState stored = dps.registration(registrationId).orElseThrow();
        assertThat(stored.assignedHub()).isEqualTo(result.getIothubUri()).isNotBlank();
        assertThat(stored.deviceId()).isEqualTo(registrationId);
        assertThat(stored.attestationType()).isEqualTo(attestation);
    }

    @Test
    void aSymmetricKeyDeviceRegistersOverAmqps() throws Exception {
        String key = dps.enrollSymmetricKey("sdk-amqp-sym-1");

        ProvisioningDeviceClientRegistrationResult result = register(ProvisioningDeviceClientTransportProtocol.AMQPS,
                symmetricKeyDevice("sdk-amqp-sym-1", key));

        assertAssigned(result, "sdk-amqp-sym-1", "symmetricKey");
    }

    @Test
    void aSymmetricKeyDeviceRegistersOverAmqpOnWebSockets() throws Exception {
        String key = dps.enrollSymmetricKey("sdk-amqp-ws-1");

        ProvisioningDeviceClientRegistrationResult result = register(
                ProvisioningDeviceClientTransportProtocol.AMQPS_WS, symmetricKeyDevice("sdk-amqp-ws-1", key));

        assertAssigned(result, "sdk-amqp-ws-1", "symmetricKey");
    }

    @Test
    void aDeviceWithTheWrongKeyIsRefusedInSaslAndNothingIsStored() throws Exception {
        dps.enrollSymmetricKey("sdk-amqp-sym-bad");

        assertThatThrownBy(() -> register(ProvisioningDeviceClientTransportProtocol.AMQPS,
                symmetricKeyDevice("sdk-amqp-sym-bad", SymmetricKeys.generate()))).isNotNull();

        assertThat(dps.registration("sdk-amqp-sym-bad")).isEmpty();
    }

    @Test
    void anX509DeviceRegistersWithoutSaslByItsTlsClientCertificate() throws Exception {
        TestPki.Credential leaf = TestPki.device("sdk-amqp-x509-1").selfSigned().issue();
        dps.enrollX509("sdk-amqp-x509-1", leaf);
        SSLContext context = dps.clientSslContext(keyManagers(leaf));
        SecurityProviderX509Cert device = new SecurityProviderX509Cert(leaf.certificate(), leaf.privateKey(), List.of()) {
            @Override
            public SSLContext getSSLContext() {
                return context;
            }
        };

        ProvisioningDeviceClientRegistrationResult result = register(ProvisioningDeviceClientTransportProtocol.AMQPS,
                device);

        assertAssigned(result, "sdk-amqp-x509-1", "x509");
        assertThat(dps.registration("sdk-amqp-x509-1").orElseThrow().x509().certificateInfo().subjectName())
                .contains("sdk-amqp-x509-1");
    }

    private static javax.net.ssl.KeyManager[] keyManagers(TestPki.Credential leaf) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        char[] password = "device".toCharArray();
        keys.setKeyEntry("device", leaf.privateKey(), password, new Certificate[] {leaf.certificate()});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, password);
        return factory.getKeyManagers();
    }
}
