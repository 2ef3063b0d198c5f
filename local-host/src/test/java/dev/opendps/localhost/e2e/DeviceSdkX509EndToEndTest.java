package dev.opendps.localhost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.security.hsm.SecurityProviderX509Cert;
import com.microsoft.azure.sdk.iot.provisioning.service.ProvisioningServiceClient;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.DeviceRegistrationState;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.EnrollmentGroup;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.IndividualEnrollment;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.ProvisioningStatus;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.X509Attestation;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.SharedAccessPolicy;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.domain.x509.CertificateParser;
import dev.opendps.testing.TestPki;
import dev.opendps.testing.TestPki.Credential;
import dev.opendps.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Java device SDK with its X.509 provider ({@code x509-provider} 2.0.2) registering over HTTPS
 * against the local stack (dps-protocol.md §2.2): an individual self-signed device, a group device chained to
 * an intermediate named in the group, and one chained to a CA registered and verified in the instance by proof
 * of possession. Certificates are made at run time. Requests the SDK cannot make (a CN that differs from the
 * registration id, a poll over a connection that presents only the leaf) go over plain HTTPS with the same
 * client certificates.
 */
class DeviceSdkX509EndToEndTest {
    private static final String API = "?api-version=2021-10-01";

    @TempDir
    static Path dataDir;

    static LocalStackFixture dps;
    static ProvisioningServiceClient service;
    static Credential root;
    static Credential intermediate;

    @BeforeAll
    static void startTheLocalStack() throws Exception {
        dps = new LocalStackFixture(dataDir);
        service = dps.serviceClient();
        root = TestPki.rootCa("OpenDPS Test Root").issue();
        intermediate = TestPki.intermediateCa("OpenDPS Test Intermediate", root).issue();
    }

    @AfterAll
    static void stopTheLocalStack() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    // --- the SDK ---------------------------------------------------------------------------------------

    /** The SDK's own extension point for a custom trust: the security provider's SSL context. */
    private static SecurityProviderX509Cert device(Credential leaf, List<X509Certificate> signers) {
        SSLContext context = clientContext(leaf, signers);
        return new SecurityProviderX509Cert(leaf.certificate(), leaf.privateKey(), signers) {
            @Override
            public SSLContext getSSLContext() {
                return context;
            }
        };
    }

    private static ProvisioningDeviceClientRegistrationResult register(Credential leaf, X509Certificate... signers)
            throws Exception {
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create(dps.globalEndpoint(), dps.instance.idScope(),
                ProvisioningDeviceClientTransportProtocol.HTTPS, device(leaf, List.of(signers)));
        try {
            return client.registerDeviceSync();
        } finally {
            client.close();
        }
    }

    private static void assertAssigned(ProvisioningDeviceClientRegistrationResult result, String deviceId) {
        assertThat(result.getProvisioningDeviceClientStatus())
                .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(result.getIothubUri()).isIn("local-hub-1.localhost", "local-hub-2.localhost");
        assertThat(result.getDeviceId()).isEqualTo(deviceId);
    }

    private static String sha256(Credential credential) {
        return CertificateParser.parse(credential.certificatePem()).info().sha256Thumbprint();
    }

    private static void assertSelfSignedIdentity(ProvisioningDeviceClientRegistrationResult result, Credential leaf)
            throws Exception {
        HubDevice identity = dps.hubDevice(result.getIothubUri(), result.getDeviceId()).orElseThrow();
        assertThat(identity.authentication().type()).isEqualTo("selfSigned");
        assertThat(identity.authentication().primaryThumbprint()).isEqualTo(sha256(leaf));
        assertThat(identity.authentication().secondaryThumbprint()).isEqualTo(sha256(leaf));
    }

    // --- individual -----------------------------------------------------------------------------------

    @Test
    void anIndividualDeviceWithASelfSignedCertificateRegisters() throws Exception {
        Credential leaf = TestPki.device("x509-individual-1").selfSigned().issue();
        service.createOrUpdateIndividualEnrollment(new IndividualEnrollment("x509-individual-1",
                X509Attestation.createFromClientCertificates(leaf.certificatePem())));

        ProvisioningDeviceClientRegistrationResult result = register(leaf);

        assertAssigned(result, "x509-individual-1");
        assertSelfSignedIdentity(result, leaf);
        DeviceRegistrationState state = service.getDeviceRegistrationState("x509-individual-1");
        assertThat(state.getAssignedHub()).isEqualTo(result.getIothubUri());
    }

    @Test
    void anExpiredIndividualCertificateIsRefused() throws Exception {
        Credential leaf = TestPki.device("x509-expired-1").selfSigned().expired().issue();
        service.createOrUpdateIndividualEnrollment(new IndividualEnrollment("x509-expired-1",
                X509Attestation.createFromClientCertificates(leaf.certificatePem())));

        assertThatThrownBy(() -> register(leaf)).rootCause().hasMessageContaining("401").hasMessageContaining("expired");
    }

    // --- groups ---------------------------------------------------------------------------------------

    @Test
    void aGroupDeviceChainedToTheGroupsIntermediateRegistersAndItsRenewedCertificateFollows() throws Exception {
        service.createOrUpdateEnrollmentGroup(new EnrollmentGroup("x509-intermediate-group",
                X509Attestation.createFromRootCertificates(intermediate.certificatePem())));
        Credential leaf = TestPki.device("x509-group-device-1", intermediate).issue();

        ProvisioningDeviceClientRegistrationResult result = register(leaf, intermediate.certificate());

        assertAssigned(result, "x509-group-device-1");
        assertSelfSignedIdentity(result, leaf);

        Credential renewed = TestPki.device("x509-group-device-1", intermediate).issue();
        ProvisioningDeviceClientRegistrationResult again = register(renewed, intermediate.certificate());

        assertThat(again.getIothubUri()).isEqualTo(result.getIothubUri());
        assertSelfSignedIdentity(again, renewed);
    }

    @Test
    void aDeviceChainedToAVerifiedCaReferenceRegisters() throws Exception {
        Credential ca = TestPki.rootCa("OpenDPS Verified Root").issue();
        Credential issuing = TestPki.intermediateCa("OpenDPS Verified Issuing", ca).issue();
        registerAndVerifyCa("verified-root", ca);
        service.createOrUpdateEnrollmentGroup(new EnrollmentGroup("x509-ca-group",
                X509Attestation.createFromCAReferences("verified-root", null)));
        Credential leaf = TestPki.device("x509-ca-device-1", issuing).issue();

        ProvisioningDeviceClientRegistrationResult result = register(leaf, issuing.certificate());

        assertAssigned(result, "x509-ca-device-1");
        assertSelfSignedIdentity(result, leaf);
    }

    @Test
    void aCaReferenceThatIsNotVerifiedDoesNotAdmitDevices() throws Exception {
        Credential ca = TestPki.rootCa("OpenDPS Unverified Root").issue();
        assertThat(admin("PUT", "/certificates/unverified-root", "{\"certificate\":\"" + ca.base64Der() + "\"}")
                .statusCode()).isEqualTo(200);
        service.createOrUpdateEnrollmentGroup(new EnrollmentGroup("x509-unverified-group",
                X509Attestation.createFromCAReferences("unverified-root", null)));
        Credential leaf = TestPki.device("x509-unverified-device", ca).issue();

        assertThatThrownBy(() -> register(leaf)).rootCause().hasMessageContaining("401");
    }

    @Test
    void aLeafOfAnotherCaIsRefused() throws Exception {
        service.createOrUpdateEnrollmentGroup(new EnrollmentGroup("x509-other-ca-group",
                X509Attestation.createFromRootCertificates(TestPki.rootCa("Some Other Root").issue().certificatePem())));
        Credential stranger = TestPki.rootCa("Stranger Root").issue();
        Credential leaf = TestPki.device("x509-stranger", stranger).issue();

        assertThatThrownBy(() -> register(leaf, stranger.certificate())).rootCause().hasMessageContaining("401");
    }

    @Test
    void aTamperedChainIsRefused() throws Exception {
        Credential groupIntermediate = TestPki.intermediateCa("OpenDPS Tamper Intermediate", root).issue();
        service.createOrUpdateEnrollmentGroup(new EnrollmentGroup("x509-tamper-group",
                X509Attestation.createFromRootCertificates(groupIntermediate.certificatePem())));
        // An impostor with the intermediate's name but its own key signs the leaf, and is presented with it.
        Credential impostor = TestPki.intermediateCa("OpenDPS Tamper Intermediate", root).issue();
        Credential leaf = TestPki.device("x509-tampered", impostor).issue();

        assertThatThrownBy(() -> register(leaf, impostor.certificate())).rootCause().hasMessageContaining("401");
    }

    @Test
    void aDisabledIndividualEntryRevokesOneDeviceOfAnEnabledGroup() throws Exception {
        Credential groupIntermediate = TestPki.intermediateCa("OpenDPS Revocation Intermediate", root).issue();
        service.createOrUpdateEnrollmentGroup(new EnrollmentGroup("x509-revocation-group",
                X509Attestation.createFromRootCertificates(groupIntermediate.certificatePem())));
        Credential revoked = TestPki.device("x509-revoked", groupIntermediate).issue();
        IndividualEnrollment revocation = new IndividualEnrollment("x509-revoked",
                X509Attestation.createFromClientCertificates(revoked.certificatePem()));
        revocation.setProvisioningStatus(ProvisioningStatus.DISABLED);
        service.createOrUpdateIndividualEnrollment(revocation);
        Credential sibling = TestPki.device("x509-sibling", groupIntermediate).issue();

        assertThatThrownBy(() -> register(revoked, groupIntermediate.certificate())).hasMessageContaining("disabled");
        assertAssigned(register(sibling, groupIntermediate.certificate()), "x509-sibling");
        assertThat(service.getDeviceRegistrationState("x509-revoked").getStatus().name()).isEqualTo("DISABLED");
    }

    // --- what the SDK cannot do: raw HTTPS with the same certificates ----------------------------------

    @Test
    void aCommonNameThatIsNotTheRegistrationIdIsRefused() throws Exception {
        Credential leaf = TestPki.device("x509-cn-a").selfSigned().issue();
        service.createOrUpdateIndividualEnrollment(new IndividualEnrollment("x509-cn-b",
                X509Attestation.createFromClientCertificates(leaf.certificatePem())));

        HttpResponse<String> response = deviceCall(clientContext(leaf, List.of()), "PUT", "x509-cn-b", "/register",
                "{\"registrationId\":\"x509-cn-b\"}");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(Json.parse(response.body().getBytes()).get("errorCode").asInt()).isEqualTo(401002);
        assertThat(response.body()).contains("x509-cn-a");
    }

    @Test
    void aPollPresentingOnlyTheLeafIsAnsweredAndTheResultCarriesTheX509Infos() throws Exception {
        Credential groupIntermediate = TestPki.intermediateCa("OpenDPS Poll Intermediate", root).issue();
        service.createOrUpdateEnrollmentGroup(new EnrollmentGroup("x509-poll-group",
                X509Attestation.createFromRootCertificates(groupIntermediate.certificatePem())));
        Credential leaf = TestPki.device("x509-poll-device", groupIntermediate).issue();

        HttpResponse<String> registered = deviceCall(clientContext(leaf, List.of(groupIntermediate.certificate())),
                "PUT", "x509-poll-device", "/register", "{\"registrationId\":\"x509-poll-device\"}");
        assertThat(registered.statusCode()).isEqualTo(202);
        JsonNode operation = Json.parse(registered.body().getBytes());
        JsonNode x509 = operation.path("registrationState").path("x509");
        assertThat(x509.path("enrollmentGroupId").asText()).isEqualTo("x509-poll-group");
        assertThat(x509.path("certificateInfo").path("sha256Thumbprint").asText()).isEqualTo(sha256(leaf));
        assertThat(x509.path("signingCertificateInfo").path("sha256Thumbprint").asText())
                .isEqualTo(sha256(groupIntermediate));
        for (String field : List.of("subjectName", "sha1Thumbprint", "sha256Thumbprint", "issuerName", "notBeforeUtc",
                "notAfterUtc", "serialNumber", "version")) {
            assertThat(x509.path("certificateInfo").has(field)).as(field).isTrue();
            assertThat(x509.path("signingCertificateInfo").has(field)).as(field).isTrue();
        }

        // A new connection presenting the leaf alone, as a resumed TLS session does.
        HttpResponse<String> poll = deviceCall(clientContext(leaf, List.of()), "GET", "x509-poll-device",
                "/operations/" + operation.get("operationId").asText(), null);
        assertThat(poll.statusCode()).isEqualTo(200);
        assertThat(Json.parse(poll.body().getBytes()).get("status").asText()).isEqualTo("assigned");

        // Another certificate with the same CN, from the same CA, may not read this device's operation.
        Credential other = TestPki.device("x509-poll-device", groupIntermediate).issue();
        assertThat(deviceCall(clientContext(other, List.of()), "GET", "x509-poll-device",
                "/operations/" + operation.get("operationId").asText(), null).statusCode()).isEqualTo(401);
    }

    // --- helpers ----------------------------------------------------------------------------------------

    /** Upload, get a verification code, prove possession with a certificate whose CN is the code (§2.2). */
    private static void registerAndVerifyCa(String name, Credential ca) throws Exception {
        HttpResponse<String> uploaded = admin("PUT", "/certificates/" + name,
                "{\"certificate\":\"" + ca.certificatePem().replace("\n", "\\n") + "\"}");
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
        HttpResponse<String> code = admin("POST", "/certificates/" + name + "/generateVerificationCode", null);
        assertThat(code.statusCode()).as(code.body()).isEqualTo(200);
        String verificationCode = Json.parse(code.body().getBytes()).path("properties").path("verificationCode").asText();
        Credential proof = ca.verificationCertificate(verificationCode);
        HttpResponse<String> verified = admin("POST", "/certificates/" + name + "/verify",
                "{\"certificate\":\"" + proof.base64Der() + "\"}");
        assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
        assertThat(Json.parse(verified.body().getBytes()).path("properties").path("isVerified").asBoolean()).isTrue();
    }

    private static HttpResponse<String> admin(String method, String path, String body) throws Exception {
        SharedAccessPolicy owner = dps.instance.policy(SharedAccessPolicy.OWNER).orElseThrow();
        String token = SharedAccessSignature.sign(dps.instance.hostName(),
                SharedAccessSignature.decodeKey(owner.primaryKey()), Instant.now().plusSeconds(600), owner.keyName());
        HttpRequest.Builder request = HttpRequest.newBuilder(dps.stack.host().baseUri().resolve(path + API))
                .header("Authorization", token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        return HttpClient.newBuilder().sslContext(dps.trust).build().send(request.build(), BodyHandlers.ofString());
    }

    private static HttpResponse<String> deviceCall(SSLContext context, String method, String registrationId,
                                                   String suffix, String body) throws Exception {
        URI uri = dps.stack.host().baseUri().resolve("/" + dps.instance.idScope() + "/registrations/" + registrationId
                + suffix + "?api-version=2019-03-31");
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
                .build();
        return HttpClient.newBuilder().sslContext(context).build().send(request, BodyHandlers.ofString());
    }

    /** A TLS client presenting the leaf and the given signers, trusting the local stack's CA. */
    private static SSLContext clientContext(Credential leaf, List<X509Certificate> signers) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            Certificate[] chain = new Certificate[signers.size() + 1];
            chain[0] = leaf.certificate();
            for (int i = 0; i < signers.size(); i++) {
                chain[i + 1] = signers.get(i);
            }
            char[] password = "device".toCharArray();
            keys.setKeyEntry("device", leaf.privateKey(), password, chain);
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password);
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry("opendps-local-ca", dps.stack.host().caCertificate());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
