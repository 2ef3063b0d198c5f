package dev.opendps.localhost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.provisioning.service.ProvisioningServiceClient;
import com.microsoft.azure.sdk.iot.provisioning.service.Query;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.AttestationMechanism;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.BulkEnrollmentOperationResult;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.BulkOperationMode;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.EnrollmentGroup;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.IndividualEnrollment;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.ProvisioningStatus;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.QueryResult;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.QuerySpecification;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.QuerySpecificationBuilder;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.SymmetricKeyAttestation;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.TpmAttestation;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.X509Attestation;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.X509CertificateInfo;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientNotFoundException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientPreconditionFailedException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientUnathorizedException;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientBadFormatException;
import dev.opendps.app.ProvisioningApplication;
import dev.opendps.config.Setting;
import dev.opendps.domain.AccessRight;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.SharedAccessPolicy;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.localhost.AppSettings;
import dev.opendps.localhost.stack.LocalStack;
import dev.opendps.service.InstanceBootstrap;
import dev.opendps.testing.TestCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Java service SDK ({@code provisioning-service-client} 2.0.3) against the running local
 * stack over HTTPS, unchanged: the packaged {@code functions} app served by the local host, on the
 * embedded store. The SDK always dials port 443, so its connections are tunnelled to the host's port.
 */
class ServiceSdkEndToEndTest {
    @TempDir
    static Path dataDir;

    static LocalStackFixture dps;
    static ProvisioningInstance instance;
    static ProvisioningServiceClient client;

    @BeforeAll
    static void startTheLocalStack() throws Exception {
        startTheLocalStack(java.util.Map.of());
    }

    /** With app settings such as another store (a subclass hides the no-argument {@code @BeforeAll}). */
    static void startTheLocalStack(java.util.Map<String, String> settings) throws Exception {
        dps = new LocalStackFixture(dataDir, settings, false);
        instance = dps.instance;
        client = dps.serviceClient();
    }

    @AfterAll
    static void stopTheLocalStack() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    private static IndividualEnrollment symmetricKeyEnrollment(String registrationId) {
        return new IndividualEnrollment(registrationId, new SymmetricKeyAttestation((String) null, null));
    }

    @Test
    void theStackWritesConnectionJsonWithTheServiceConnectionString() throws Exception {
        String json = Files.readString(dps.stack.connectionFile());

        assertThat(json).contains(instance.idScope()).contains(InstanceBootstrap.connectionString(instance))
                .contains(dps.stack.host().caCertificatePath().toString());
    }

    /**
     * How an administrator finds the instance after deploying ({@code GET /management/instances}, master key):
     * the connection string it answers is the one the official SDK then works with.
     */
    @Test
    void theInstanceAndItsServiceConnectionStringAreReadWithTheMasterKey() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(dps.trust).build();
        java.net.URI uri = dps.stack.host().baseUri().resolve("/management/instances/" + instance.hostName());
        String masterKey = dps.stack.host().app("opendps-functions").orElseThrow().keys().masterKey();

        java.net.http.HttpResponse<String> anonymous = http.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        java.net.http.HttpResponse<String> admin = http.send(java.net.http.HttpRequest.newBuilder(uri)
                .header("x-functions-key", masterKey).build(), java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(admin.statusCode()).as(admin.body()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode answer = dev.opendps.wire.Json.parse(
                admin.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(answer.get("idScope").asText()).isEqualTo(instance.idScope());
        String connectionString = answer.get("serviceConnectionString").asText();
        IndividualEnrollment created = new ProvisioningServiceClient(connectionString)
                .createOrUpdateIndividualEnrollment(symmetricKeyEnrollment("sdk-admin-1"));
        assertThat(client.getIndividualEnrollment("sdk-admin-1").getEtag()).isEqualTo(created.getEtag());
    }

    /** The re-wrap an administrator starts after rotating the key in Key Vault: the master key only, on either store. */
    @Test
    void storedDataKeysAreReWrappedOnlyWithTheMasterKey() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(dps.trust).build();
        java.net.URI uri = dps.stack.host().baseUri().resolve("/management/keys/rewrap");
        String masterKey = dps.stack.host().app("opendps-functions").orElseThrow().keys().masterKey();
        java.net.http.HttpRequest.BodyPublisher none = java.net.http.HttpRequest.BodyPublishers.noBody();

        java.net.http.HttpResponse<String> anonymous = http.send(java.net.http.HttpRequest.newBuilder(uri)
                .POST(none).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        java.net.http.HttpResponse<String> admin = http.send(java.net.http.HttpRequest.newBuilder(uri).POST(none)
                .header("x-functions-key", masterKey).build(), java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(admin.statusCode()).as(admin.body()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode pass = dev.opendps.wire.Json.parse(
                admin.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(pass.get("version").asText()).isNotBlank();
        assertThat(pass.get("documents").asLong()).isPositive();
        assertThat(pass.get("unreadable").asLong()).isZero();
    }

    @Test
    void individualEnrollmentLifecycleWithEtags() throws Exception {
        IndividualEnrollment created = client.createOrUpdateIndividualEnrollment(symmetricKeyEnrollment("sdk-dev-1"));

        SymmetricKeyAttestation keys = (SymmetricKeyAttestation) created.getAttestation();
        assertThat(keys.getPrimaryKey()).isNotBlank();
        assertThat(keys.getSecondaryKey()).isNotBlank();
        assertThat(created.getEtag()).isNotBlank();
        assertThat(created.getCreatedDateTimeUtc()).isNotNull();

        IndividualEnrollment read = client.getIndividualEnrollment("sdk-dev-1");
        assertThat(read.getEtag()).isEqualTo(created.getEtag());
        assertThat(((SymmetricKeyAttestation) read.getAttestation()).getPrimaryKey()).isEqualTo(keys.getPrimaryKey());

        read.setProvisioningStatus(ProvisioningStatus.DISABLED);
        IndividualEnrollment updated = client.createOrUpdateIndividualEnrollment(read);
        assertThat(updated.getProvisioningStatus()).isEqualTo(ProvisioningStatus.DISABLED);
        assertThat(updated.getEtag()).isNotEqualTo(created.getEtag());

        assertThatThrownBy(() -> client.createOrUpdateIndividualEnrollment(created))
                .as("a stale etag").isInstanceOf(ProvisioningServiceClientPreconditionFailedException.class);
        assertThatThrownBy(() -> client.deleteIndividualEnrollment("sdk-dev-1", created.getEtag()))
                .isInstanceOf(ProvisioningServiceClientPreconditionFailedException.class);

        client.deleteIndividualEnrollment(updated);
        assertThatThrownBy(() -> client.getIndividualEnrollment("sdk-dev-1"))
                .isInstanceOf(ProvisioningServiceClientNotFoundException.class);
    }

    @Test
    void attestationMechanismReturnsTheKeys() throws Exception {
        IndividualEnrollment created = client.createOrUpdateIndividualEnrollment(symmetricKeyEnrollment("sdk-att-1"));

        AttestationMechanism mechanism = client.getIndividualEnrollmentAttestationMechanism("sdk-att-1");

        assertThat(((SymmetricKeyAttestation) mechanism.getAttestation()).getPrimaryKey())
                .isEqualTo(((SymmetricKeyAttestation) created.getAttestation()).getPrimaryKey());
    }

    @Test
    void tpmAndX509EnrollmentsAreAcceptedAndX509ComesBackAsInfo() throws Exception {
        String ek = TestCredentials.endorsementKeyBase64();
        IndividualEnrollment tpm = client.createOrUpdateIndividualEnrollment(
                new IndividualEnrollment("sdk-tpm-1", new TpmAttestation(ek)));
        assertThat(((TpmAttestation) tpm.getAttestation()).getEndorsementKey()).isEqualTo(ek);

        String pem = TestCredentials.selfSignedCertificatePem("sdk-x509-1");
        client.createOrUpdateIndividualEnrollment(new IndividualEnrollment("sdk-x509-1",
                X509Attestation.createFromClientCertificates(pem)));
        IndividualEnrollment x509 = client.getIndividualEnrollment("sdk-x509-1");
        X509CertificateInfo info = ((X509Attestation) x509.getAttestation()).getPrimaryX509CertificateInfo();

        assertThat(info.getSubjectName()).startsWith("CN=sdk-x509-1");
        assertThat(info.getSha256Thumbprint()).hasSize(64);
        assertThat(info.getNotAfterUtc()).isNotNull();

        x509.setDeviceId("renamed-device");
        assertThat(client.createOrUpdateIndividualEnrollment(x509).getDeviceId())
                .as("an enrollment read back (info only, no certificate) can be written back").isEqualTo("renamed-device");
    }

    @Test
    void invalidInputIsRejectedAs400() {
        IndividualEnrollment badKey = new IndividualEnrollment("sdk-bad-1", new SymmetricKeyAttestation("c2hvcnQ=", "c2hvcnQ="));

        assertThatThrownBy(() -> client.createOrUpdateIndividualEnrollment(badKey))
                .isInstanceOf(ProvisioningServiceClientBadFormatException.class);
        assertThatThrownBy(() -> client.getIndividualEnrollment("sdk-bad-1"))
                .isInstanceOf(ProvisioningServiceClientNotFoundException.class);
    }

    @Test
    void queriesPageThroughEveryEnrollment() throws Exception {
        for (int i = 0; i < 7; i++) {
            client.createOrUpdateIndividualEnrollment(symmetricKeyEnrollment("sdk-page-" + i));
        }
        QuerySpecification spec = new QuerySpecificationBuilder("*", QuerySpecificationBuilder.FromType.ENROLLMENTS)
                .createSqlQuery();
        Query query = client.createIndividualEnrollmentQuery(spec, 3);

        List<Integer> pageSizes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (query.hasNext()) {
            QueryResult page = query.next();
            assertThat(page.getType().name()).isEqualTo("ENROLLMENT");
            pageSizes.add(page.getItems().length);
            for (Object item : page.getItems()) {
                assertThat(seen.add(((IndividualEnrollment) item).getRegistrationId())).as("no duplicates").isTrue();
            }
        }

        assertThat(pageSizes.size()).isGreaterThanOrEqualTo(3);
        assertThat(pageSizes).allMatch(size -> size <= 3);
        assertThat(seen).contains("sdk-page-0", "sdk-page-1", "sdk-page-2", "sdk-page-3", "sdk-page-4",
                "sdk-page-5", "sdk-page-6");
    }

    @Test
    void bulkCreateAndDelete() throws Exception {
        List<IndividualEnrollment> batch = List.of(symmetricKeyEnrollment("sdk-bulk-1"),
                symmetricKeyEnrollment("sdk-bulk-2"), symmetricKeyEnrollment("sdk-bulk-3"));

        BulkEnrollmentOperationResult created = client.runBulkEnrollmentOperation(BulkOperationMode.CREATE, batch);
        assertThat(created.getSuccessful()).isTrue();
        assertThat(client.getIndividualEnrollment("sdk-bulk-2").getRegistrationId()).isEqualTo("sdk-bulk-2");

        BulkEnrollmentOperationResult again = client.runBulkEnrollmentOperation(BulkOperationMode.CREATE, batch);
        assertThat(again.getSuccessful()).isFalse();
        assertThat(again.getErrors()).hasSize(3);

        BulkEnrollmentOperationResult deleted = client.runBulkEnrollmentOperation(BulkOperationMode.DELETE, batch);
        assertThat(deleted.getSuccessful()).isTrue();
        assertThatThrownBy(() -> client.getIndividualEnrollment("sdk-bulk-2"))
                .isInstanceOf(ProvisioningServiceClientNotFoundException.class);
    }

    @Test
    void enrollmentGroupsAndTheirRegistrations() throws Exception {
        EnrollmentGroup symmetric = client.createOrUpdateEnrollmentGroup(
                new EnrollmentGroup("sdk-group-1", new SymmetricKeyAttestation((String) null, null)));
        EnrollmentGroup x509 = client.createOrUpdateEnrollmentGroup(new EnrollmentGroup("sdk-group-2",
                X509Attestation.createFromRootCertificates(TestCredentials.selfSignedCertificatePem("sdk-root"))));

        assertThat(symmetric.getEtag()).isNotBlank();
        assertThat(client.getEnrollmentGroup("sdk-group-2").getEtag()).isEqualTo(x509.getEtag());
        assertThat(((SymmetricKeyAttestation) client.getEnrollmentGroupAttestationMechanism("sdk-group-1")
                .getAttestation()).getPrimaryKey()).isNotBlank();

        Query registrations = client.createEnrollmentGroupRegistrationStateQuery(
                new QuerySpecificationBuilder("*", QuerySpecificationBuilder.FromType.ENROLLMENT_GROUPS).createSqlQuery(),
                "sdk-group-1");
        assertThat(registrations.next().getItems()).isEmpty();

        Query groups = client.createEnrollmentGroupQuery(
                new QuerySpecificationBuilder("*", QuerySpecificationBuilder.FromType.ENROLLMENT_GROUPS).createSqlQuery());
        assertThat(groups.next().getItems()).hasSizeGreaterThanOrEqualTo(2);

        client.deleteEnrollmentGroup("sdk-group-1");
        client.deleteEnrollmentGroup(x509);
        assertThatThrownBy(() -> client.getEnrollmentGroup("sdk-group-1"))
                .isInstanceOf(ProvisioningServiceClientNotFoundException.class);
    }

    @Test
    void aMissingRegistrationStateIsNotFound() {
        assertThatThrownBy(() -> client.getDeviceRegistrationState("sdk-never-registered"))
                .isInstanceOf(ProvisioningServiceClientNotFoundException.class);
        assertThatThrownBy(() -> client.deleteDeviceRegistrationState("sdk-never-registered"))
                .isInstanceOf(ProvisioningServiceClientNotFoundException.class);
    }

    @Test
    void aWrongKeyIsUnauthorized() {
        ProvisioningServiceClient forged = new ProvisioningServiceClient("HostName=" + instance.hostName()
                + ";SharedAccessKeyName=" + SharedAccessPolicy.OWNER + ";SharedAccessKey=" + SymmetricKeys.generate());

        assertThatThrownBy(() -> forged.getIndividualEnrollment("anything"))
                .isInstanceOf(ProvisioningServiceClientUnathorizedException.class);
    }

    @Test
    void aPolicyWithoutTheRightIsUnauthorizedForThatOperationOnly() throws Exception {
        SharedAccessPolicy reader = new SharedAccessPolicy("enrollment-reader", SymmetricKeys.generate(),
                SymmetricKeys.generate(), EnumSet.of(AccessRight.EnrollmentRead));
        dps.addPolicy(reader);
        ProvisioningServiceClient readOnly = new ProvisioningServiceClient("HostName=" + instance.hostName()
                + ";SharedAccessKeyName=" + reader.keyName() + ";SharedAccessKey=" + reader.primaryKey());
        client.createOrUpdateIndividualEnrollment(symmetricKeyEnrollment("sdk-ro-1"));

        assertThat(readOnly.getIndividualEnrollment("sdk-ro-1").getRegistrationId()).isEqualTo("sdk-ro-1");
        assertThatThrownBy(() -> readOnly.createOrUpdateIndividualEnrollment(symmetricKeyEnrollment("sdk-ro-2")))
                .isInstanceOf(ProvisioningServiceClientUnathorizedException.class);
        assertThatThrownBy(() -> readOnly.deleteIndividualEnrollment("sdk-ro-1"))
                .isInstanceOf(ProvisioningServiceClientUnathorizedException.class);
    }
}
