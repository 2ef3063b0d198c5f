package dev.opendps.localhost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.microsoft.azure.sdk.iot.provisioning.service.ProvisioningServiceClient;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.DeviceRegistrationState;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.EnrollmentGroup;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.IndividualEnrollment;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.SymmetricKeyAttestation;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.X509Attestation;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientNotFoundException;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.x509.CertificateParser;
import dev.opendps.testing.TestPki;
import dev.opendps.testing.TestPki.Credential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Node.js device SDK over its MQTT ({@code azure-iot-provisioning-device-mqtt} 1.8.1) and AMQP
 * ({@code azure-iot-provisioning-device-amqp} 1.9.1) transports, unchanged, through the front door the local stack
 * starts: devices enrolled here with the official Java service SDK register from {@code compat/node/transports.js}
 * (symmetric-key and X.509 individuals and group devices on each transport, a wrong key on each), and what they
 * report is checked against the registration states and the identities in the embedded hub registry. Both Node
 * transports take {@code host:port}, so the front door stays on the fixture's free ports. Needs {@code node}.
 */
class NodeSdkTransportsEndToEndTest {
    @TempDir
    static Path dataDir;

    static LocalStackFixture dps;
    static ProvisioningServiceClient service;

    @BeforeAll
    static void startTheLocalStack() throws Exception {
        NodeCompat.requireNodeAndPackages();
        dps = new LocalStackFixture(dataDir);
        service = dps.serviceClient();
    }

    @AfterAll
    static void stopTheLocalStack() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    private final ArrayNode devices = new ObjectMapper().createArrayNode();

    private String enrollSymmetricKey(String registrationId) throws Exception {
        IndividualEnrollment enrollment = service.createOrUpdateIndividualEnrollment(
                new IndividualEnrollment(registrationId, new SymmetricKeyAttestation((String) null, null)));
        return ((SymmetricKeyAttestation) enrollment.getAttestation()).getPrimaryKey();
    }

    private void symmetricKeyDevice(String name, String transport, String registrationId, String key) {
        devices.addObject().put("name", name).put("transport", transport).put("registrationId", registrationId)
                .put("symmetricKey", key);
    }

    /** The leaf's certificate file holds the leaf and then its signers, as the SDK presents them in TLS. */
    private void x509Device(String name, String transport, Path dir, Credential leaf, Credential... signers)
            throws Exception {
        StringBuilder chain = new StringBuilder(leaf.certificatePem());
        for (Credential signer : signers) {
            chain.append(signer.certificatePem());
        }
        Path cert = Files.writeString(dir.resolve(name + ".cert.pem"), chain);
        Path key = Files.writeString(dir.resolve(name + ".key.pem"), leaf.privateKeyPem());
        devices.addObject().put("name", name).put("transport", transport).put("registrationId", leaf.commonName())
                .put("certFile", cert.toString()).put("keyFile", key.toString());
    }

    private static String sha256(Credential credential) {
        return CertificateParser.parse(credential.certificatePem()).info().sha256Thumbprint();
    }

    private JsonNode runTheScenario() throws Exception {
        NodeCompat.Result result = NodeCompat.run(List.of("node", "transports.js"), Map.of(
                "OPENDPS_ID_SCOPE", dps.instance.idScope(),
                "OPENDPS_MQTT_HOST", "localhost:" + dps.frontDoorPort("mqtt"),
                "OPENDPS_AMQP_HOST", "localhost:" + dps.frontDoorPort("amqp"),
                "OPENDPS_DEVICES", devices.toString(),
                "NODE_EXTRA_CA_CERTS", dps.stack.host().caCertificatePath().toString()), 180);
        assertThat(result.exit()).as(result.output()).isZero();
        return result.json();
    }

    /** Assigned as the SDK reports it, as the service API reads it back, and the identity made in the hub. */
    private HubDevice assertAssigned(JsonNode observed, String name, String registrationId) throws Exception {
        JsonNode device = observed.get(name);
        assertThat(device).as(name).isNotNull();
        assertThat(device.path("status").asText()).as(name + ": " + device).isEqualTo("assigned");
        assertThat(device.path("substatus").asText()).as(name).isEqualTo("initialAssignment");
        assertThat(device.path("registrationId").asText()).as(name).isEqualTo(registrationId);
        assertThat(device.path("deviceId").asText()).as(name).isEqualTo(registrationId);
        String hub = device.path("assignedHub").asText();
        assertThat(hub).as(name).isIn(dps.instance.linkedHubs().stream().map(LinkedHub::hostName).toList());
        DeviceRegistrationState state = service.getDeviceRegistrationState(registrationId);
        assertThat(state.getStatus().name()).as(name).isEqualTo("ASSIGNED");
        assertThat(state.getAssignedHub()).as(name).isEqualTo(hub);
        assertThat(state.getDeviceId()).as(name).isEqualTo(registrationId);
        return dps.hubDevice(hub, registrationId).orElseThrow(() -> new AssertionError(name + ": no hub identity"));
    }

    private void assertNothingStored(String registrationId) throws Exception {
        assertThatThrownBy(() -> service.getDeviceRegistrationState(registrationId))
                .isInstanceOf(ProvisioningServiceClientNotFoundException.class);
        for (LinkedHub hub : dps.instance.linkedHubs()) {
            assertThat(dps.hubDevice(hub.hostName(), registrationId)).as(hub.hostName()).isEmpty();
        }
    }

    @Test
    void symmetricKeyDevicesRegisterOverMqttAndAmqp() throws Exception {
        String mqttKey = enrollSymmetricKey("node-mqtt-sk-e2e");
        symmetricKeyDevice("mqtt", "mqtt", "node-mqtt-sk-e2e", mqttKey);
        String amqpKey = enrollSymmetricKey("node-amqp-sk-e2e");
        symmetricKeyDevice("amqp", "amqp", "node-amqp-sk-e2e", amqpKey);
        EnrollmentGroup group = service.createOrUpdateEnrollmentGroup(
                new EnrollmentGroup("node-amqp-group-e2e", new SymmetricKeyAttestation((String) null, null)));
        String groupDeviceKey = SymmetricKeys.deriveDeviceKey(
                ((SymmetricKeyAttestation) group.getAttestation()).getPrimaryKey(), "node-amqp-group-dev-e2e");
        symmetricKeyDevice("amqpGroupDevice", "amqp", "node-amqp-group-dev-e2e", groupDeviceKey);

        JsonNode observed = runTheScenario();

        assertThat(assertAssigned(observed, "mqtt", "node-mqtt-sk-e2e").authentication().primaryKey())
                .isEqualTo(mqttKey);
        assertThat(assertAssigned(observed, "amqp", "node-amqp-sk-e2e").authentication().primaryKey())
                .isEqualTo(amqpKey);
        assertThat(assertAssigned(observed, "amqpGroupDevice", "node-amqp-group-dev-e2e").authentication()
                .primaryKey()).isEqualTo(groupDeviceKey);
    }

    @Test
    void x509DevicesRegisterOverMqttAndAmqpByTheirTlsClientCertificates(@TempDir Path x509Dir) throws Exception {
        Credential mqttLeaf = TestPki.device("node-mqtt-x509-e2e").selfSigned().issue();
        service.createOrUpdateIndividualEnrollment(new IndividualEnrollment(mqttLeaf.commonName(),
                X509Attestation.createFromClientCertificates(mqttLeaf.certificatePem())));
        x509Device("mqtt", "mqtt", x509Dir, mqttLeaf);
        Credential amqpLeaf = TestPki.device("node-amqp-x509-e2e").selfSigned().issue();
        service.createOrUpdateIndividualEnrollment(new IndividualEnrollment(amqpLeaf.commonName(),
                X509Attestation.createFromClientCertificates(amqpLeaf.certificatePem())));
        x509Device("amqp", "amqp", x509Dir, amqpLeaf);
        Credential signer = TestPki.intermediateCa("OpenDPS Node Transports Intermediate",
                TestPki.rootCa("OpenDPS Node Transports Root").issue()).issue();
        service.createOrUpdateEnrollmentGroup(new EnrollmentGroup("node-mqtt-x509-group-e2e",
                X509Attestation.createFromRootCertificates(signer.certificatePem())));
        Credential groupLeaf = TestPki.device("node-mqtt-x509-group-dev-e2e", signer).issue();
        x509Device("mqttGroupDevice", "mqtt", x509Dir, groupLeaf, signer);

        JsonNode observed = runTheScenario();

        for (var device : Map.of("mqtt", mqttLeaf, "amqp", amqpLeaf, "mqttGroupDevice", groupLeaf).entrySet()) {
            HubDevice identity = assertAssigned(observed, device.getKey(), device.getValue().commonName());
            assertThat(identity.authentication().type()).as(device.getKey()).isEqualTo("selfSigned");
            assertThat(identity.authentication().primaryThumbprint()).as(device.getKey())
                    .isEqualTo(sha256(device.getValue()));
        }
    }

    @Test
    void aWrongKeyOverMqttIsRefusedInTheConnackAndStoresNothing() throws Exception {
        enrollSymmetricKey("node-mqtt-wrong-e2e");
        symmetricKeyDevice("mqtt", "mqtt", "node-mqtt-wrong-e2e", SymmetricKeys.generate());

        JsonNode wrong = runTheScenario().get("mqtt");

        // The key is tried before the CONNACK (dps-protocol.md §3.1): CONNACK 5, which the SDK reports as the
        // connection refused (sdk-wire-notes.md: "Connection refused: Not authorized", as against DPS).
        assertThat(wrong.path("message").asText()).as(wrong.toString()).isEqualTo("Connection refused: Not authorized");
        assertNothingStored("node-mqtt-wrong-e2e");
    }

    @Test
    void aWrongKeyOverAmqpFailsTheRegistrationAndStoresNothing() throws Exception {
        enrollSymmetricKey("node-amqp-wrong-e2e");
        symmetricKeyDevice("amqp", "amqp", "node-amqp-wrong-e2e", SymmetricKeys.generate());

        JsonNode wrong = runTheScenario().get("amqp");

        // The front door answers SASL PLAIN with outcome `auth` and closes. azure-iot-amqp-base 2.5.1 drops that
        // outcome (it reads only the error of a remote AMQP close, which a failed SASL exchange never gets to), so
        // the SDK fails the registration with a bare NotConnectedError when it goes on to attach its links
        // (README, AMQP).
        assertThat(wrong.path("error").asText()).as(wrong.toString()).isEqualTo("NotConnectedError");
        assertNothingStored("node-amqp-wrong-e2e");
    }
}
