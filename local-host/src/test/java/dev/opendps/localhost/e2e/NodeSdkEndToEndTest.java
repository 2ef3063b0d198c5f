package dev.opendps.localhost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.x509.CertificateParser;
import dev.opendps.service.InstanceBootstrap;
import dev.opendps.testing.TestPki;
import dev.opendps.testing.TestPki.Credential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Node.js SDKs ({@code azure-iot-provisioning-service} 1.11.2, {@code azure-iot-provisioning-device}
 * and {@code -http} 1.9.1, {@code azure-iot-security-symmetric-key} 1.8.2, {@code azure-iot-security-x509} 1.7.12)
 * against the running local stack, unchanged: {@code compat/node/scenario.js} enrolls, registers an individual and
 * a group device, reads the state back, is refused with a wrong key, queries and deletes; then does the same with
 * X.509 certificates made here at run time (a self-signed individual device, a group device issued by the group's
 * intermediate, and a refused device of an unrelated CA). Their SAS, HTTP and TLS habits differ from the Java SDKs'
 * (sdk-wire-notes.md), which is the point. Needs {@code node}; .ci/run installs the packages.
 */
class NodeSdkEndToEndTest {
    @TempDir
    static Path dataDir;

    static LocalStackFixture dps;

    @BeforeAll
    static void startTheLocalStack() throws Exception {
        NodeCompat.requireNodeAndPackages();
        dps = new LocalStackFixture(dataDir);
    }

    @AfterAll
    static void stopTheLocalStack() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    private static void writePem(Path dir, String name, Credential device, Credential... followers) throws IOException {
        StringBuilder cert = new StringBuilder(device.certificatePem());
        for (Credential follower : followers) {
            cert.append(follower.certificatePem());
        }
        Files.writeString(dir.resolve(name + ".cert.pem"), cert);
        Files.writeString(dir.resolve(name + ".key.pem"), device.privateKeyPem());
    }

    private static String sha256(Credential credential) {
        return CertificateParser.parse(credential.certificatePem()).info().sha256Thumbprint();
    }

    @Test
    void theNodeServiceAndDeviceSdksWorkUnchanged(@TempDir Path x509Dir) throws Exception {
        Credential individualLeaf = TestPki.device("node-x509-dev-e2e").selfSigned().issue();
        Credential groupSigner = TestPki.intermediateCa("OpenDPS Node Intermediate",
                TestPki.rootCa("OpenDPS Node Root").issue()).issue();
        Credential groupLeaf = TestPki.device("node-x509-group-dev-e2e", groupSigner).issue();
        Credential strangerCa = TestPki.rootCa("OpenDPS Node Stranger Root").issue();
        writePem(x509Dir, "individual", individualLeaf);
        writePem(x509Dir, "group-device", groupLeaf); // the scenario appends the group's signing certificate
        Files.writeString(x509Dir.resolve("group-signer.cert.pem"), groupSigner.certificatePem());
        writePem(x509Dir, "stranger", TestPki.device("node-x509-stranger-e2e", strangerCa).issue(), strangerCa);

        NodeCompat.Result result = NodeCompat.run(List.of("node", "scenario.js"), Map.of(
                "OPENDPS_PORT", String.valueOf(dps.stack.host().port()),
                "OPENDPS_CONNECTION_STRING", InstanceBootstrap.connectionString(dps.instance),
                "OPENDPS_ID_SCOPE", dps.instance.idScope(),
                "OPENDPS_RUN", "e2e",
                "OPENDPS_X509_DIR", x509Dir.toString(),
                "NODE_EXTRA_CA_CERTS", dps.stack.host().caCertificatePath().toString()), 120);

        assertThat(result.exit()).as(result.output()).isZero();
        JsonNode observed = result.json();
        assertThat(observed.get("createdEtag").asText()).isNotBlank();
        assertThat(observed.get("readBackSameEtag").asBoolean()).isTrue();
        assertThat(observed.at("/individual/status").asText()).isEqualTo("assigned");
        assertThat(observed.at("/individual/deviceId").asText()).isEqualTo("node-dev-e2e");
        assertThat(observed.at("/individual/assignedHub").asText()).endsWith(".localhost");
        assertThat(observed.at("/group/status").asText()).isEqualTo("assigned");
        assertThat(observed.at("/state/assignedHub")).isEqualTo(observed.at("/individual/assignedHub"));
        assertThat(observed.get("wrongKey").asText()).isEqualTo("UnauthorizedError:401");
        assertThat(observed.get("queried").asBoolean()).isTrue();
        assertThat(observed.get("afterDelete").asInt()).isEqualTo(404);
        assertThat(dps.hubDevice(observed.at("/individual/assignedHub").asText(), "node-dev-e2e").orElseThrow()
                .tags().get("sdk").asText()).isEqualTo("node");

        JsonNode x509 = observed.get("x509");
        assertThat(x509.at("/enrolledInfo/sha256Thumbprint").asText()).isEqualTo(sha256(individualLeaf));
        assertThat(x509.at("/enrolledInfo/hasCertificate").asBoolean()).isFalse();
        assertThat(x509.at("/individual/status").asText()).isEqualTo("assigned");
        assertThat(x509.at("/individual/deviceId").asText()).isEqualTo("node-x509-dev-e2e");
        assertThat(x509.at("/individual/assignedHub").asText()).endsWith(".localhost");
        assertThat(x509.at("/individual/x509/certificateInfo/sha256Thumbprint").asText())
                .isEqualTo(sha256(individualLeaf));
        assertThat(x509.at("/individual/x509/signingCertificateInfo").isNull()).isTrue();
        assertThat(x509.at("/group/status").asText()).isEqualTo("assigned");
        assertThat(x509.at("/group/deviceId").asText()).isEqualTo("node-x509-group-dev-e2e");
        assertThat(x509.at("/group/x509/enrollmentGroupId").asText()).isEqualTo("node-x509-group-e2e");
        assertThat(x509.at("/group/x509/certificateInfo/sha256Thumbprint").asText()).isEqualTo(sha256(groupLeaf));
        assertThat(x509.at("/group/x509/signingCertificateInfo/sha256Thumbprint").asText())
                .isEqualTo(sha256(groupSigner));
        for (String device : List.of("individual", "group")) {
            JsonNode state = x509.at("/state").get(x509.at("/" + device + "/deviceId").asText());
            assertThat(state.get("status").asText()).as(device).isEqualTo("assigned");
            assertThat(state.get("assignedHub")).as(device).isEqualTo(x509.at("/" + device + "/assignedHub"));
        }
        assertThat(x509.get("stranger").asText()).isEqualTo("UnauthorizedError:401");
        for (Credential leaf : List.of(individualLeaf, groupLeaf)) {
            String deviceId = leaf.commonName();
            String hub = x509.at("/state").get(deviceId).get("assignedHub").asText();
            HubDevice identity = dps.hubDevice(hub, deviceId).orElseThrow();
            assertThat(identity.authentication().type()).as(deviceId).isEqualTo("selfSigned");
            assertThat(identity.authentication().primaryThumbprint()).as(deviceId).isEqualTo(sha256(leaf));
        }
    }
}
