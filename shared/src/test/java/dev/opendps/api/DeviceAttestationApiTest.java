package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.testing.SoftwareTpm;
import dev.opendps.testing.TestPki;
import dev.opendps.testing.TestPki.Credential;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TPM (dps-protocol.md §2.4) and X.509 (§2.2) registration over the HTTP-neutral API, with a software TPM
 * that opens activation blobs as a TPM would. The official SDKs run the same flows end to end in local-host.
 */
class DeviceAttestationApiTest {
    @TempDir
    java.nio.file.Path dataDir;

    ServiceApiFixture dps;
    DeviceApi devices;
    String scope;

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir);
        devices = dps.application.deviceApi();
        scope = dps.instance.idScope();
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private void enrollTpm(String registrationId, byte[] endorsementKey) {
        ApiResponse response = dps.api.individualEnrollment(dps.owner("PUT").json("{\"registrationId\":\""
                + registrationId + "\",\"attestation\":{\"type\":\"tpm\",\"tpm\":{\"endorsementKey\":\""
                + base64(endorsementKey) + "\"}}}").build(), registrationId);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    }

    private ApiResponse call(String method, String registrationId, String suffix, Map<String, String> extraHeaders,
                             String body) {
        Map<String, String> headers = new HashMap<>(extraHeaders);
        headers.put("Content-Type", "application/json; charset=utf-8");
        ApiRequest request = new ApiRequest(method, headers, Map.of("api-version", "2019-03-31"),
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
        return switch (suffix) {
            case "register" -> devices.register(request, scope, registrationId);
            case "status" -> devices.registrationStatus(request, scope, registrationId);
            default -> devices.operationStatus(request, scope, registrationId, suffix);
        };
    }

    private ApiResponse registerTpm(String registrationId, SoftwareTpm tpm, String authorization) {
        return registerTpm(registrationId, tpm.endorsementKey(), tpm.storageRootKey(), authorization);
    }

    private ApiResponse registerTpm(String registrationId, byte[] endorsementKey, byte[] storageRootKey,
                                    String authorization) {
        return call("PUT", registrationId, "register",
                authorization == null ? Map.of() : Map.of("Authorization", authorization),
                "{\"registrationId\":\"" + registrationId + "\",\"tpm\":{\"endorsementKey\":\"" + base64(endorsementKey)
                        + "\",\"storageRootKey\":\"" + base64(storageRootKey) + "\"}}");
    }

    /** What a TPM device sends after importing the key: a SAS over its resource, signed in the TPM. */
    private String tpmToken(String registrationId, byte[] key) {
        return SharedAccessSignature.sign(scope + "/registrations/" + registrationId, key,
                Instant.now().plus(Duration.ofHours(1)), "registration");
    }

    private static String text(ApiResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    // --- TPM --------------------------------------------------------------------------------------------

    @Test
    void theFirstRegisterIsChallengedWithABlobOnlyTheEnrolledTpmOpens() {
        SoftwareTpm tpm = SoftwareTpm.create();
        enrollTpm("tpm-1", tpm.endorsementKey());

        ApiResponse challenge = registerTpm("tpm-1", tpm, null);

        assertThat(challenge.status()).isEqualTo(401);
        JsonNode body = body(challenge);
        assertThat(body.get("keyName").asText()).isEqualTo("registration");
        assertThat(body.has("status")).as("the C SDK tells a challenge by the absence of status").isFalse();
        assertThat(body.get("errorCode").asInt()).isEqualTo(401002);
        assertThat(body.get("trackingId").asText()).isNotBlank();
        SoftwareTpm.Activated activated = tpm.activate(Base64.getDecoder().decode(body.get("authenticationKey").asText()));
        assertThat(activated.hmacKey()).hasSize(32);
        assertThat(new String(activated.uriData(), StandardCharsets.UTF_8)).isEqualTo(scope);
        assertThat(dps.application.stores().registrationStates().find(scope, "tpm-1")).isEmpty();
    }

    @Test
    void aTokenSignedWithTheImportedKeyAssignsTheDeviceAndItsHubKeyIsTheKeyOfTheSecondBlob() {
        SoftwareTpm tpm = SoftwareTpm.create();
        enrollTpm("tpm-2", tpm.endorsementKey());
        byte[] key = tpm.activate(Base64.getDecoder().decode(
                body(registerTpm("tpm-2", tpm, null)).get("authenticationKey").asText())).hmacKey();

        ApiResponse assigned = registerTpm("tpm-2", tpm, tpmToken("tpm-2", key));

        assertThat(assigned.status()).as(text(assigned)).isEqualTo(202);
        JsonNode state = body(assigned).get("registrationState");
        assertThat(state.get("status").asText()).isEqualTo("assigned");
        byte[] hubKey = tpm.activate(Base64.getDecoder().decode(state.at("/tpm/authenticationKey").asText())).hmacKey();
        HubDevice identity = dps.application.stores().hubs()
                .find(new LinkedHub(state.get("assignedHub").asText(), 1, true, null), "tpm-2").orElseThrow();
        assertThat(identity.authentication().type()).isEqualTo("sas");
        assertThat(Base64.getDecoder().decode(identity.authentication().primaryKey())).isEqualTo(hubKey);

        // Polls and status lookups carry the same kind of token and no body.
        String operationId = body(assigned).get("operationId").asText();
        Map<String, String> auth = Map.of("Authorization", tpmToken("tpm-2", key));
        ApiResponse poll = call("GET", "tpm-2", operationId, auth, null);
        assertThat(poll.status()).as(text(poll)).isEqualTo(200);
        assertThat(body(poll).at("/registrationState/tpm/authenticationKey").asText()).isNotBlank();
        assertThat(call("POST", "tpm-2", "status", auth, null).status()).isEqualTo(200);
        assertThat(call("GET", "tpm-2", operationId, Map.of("Authorization", tpmToken("tpm-2", new byte[32])), null)
                .status()).isEqualTo(401);
    }

    @Test
    void aTokenNotSignedWithTheImportedKeyIsRefusedAndChangesNothing() {
        SoftwareTpm tpm = SoftwareTpm.create();
        enrollTpm("tpm-3", tpm.endorsementKey());
        registerTpm("tpm-3", tpm, null);

        ApiResponse refused = registerTpm("tpm-3", tpm, tpmToken("tpm-3", new byte[32]));

        assertThat(refused.status()).isEqualTo(401);
        assertThat(body(refused).has("authenticationKey")).isFalse();
        assertThat(dps.application.stores().registrationStates().find(scope, "tpm-3")).isEmpty();
    }

    @Test
    void anotherStorageRootKeyThanTheChallengedOneIsRefused() {
        SoftwareTpm tpm = SoftwareTpm.create();
        enrollTpm("tpm-4", tpm.endorsementKey());
        byte[] key = tpm.activate(Base64.getDecoder().decode(
                body(registerTpm("tpm-4", tpm, null)).get("authenticationKey").asText())).hmacKey();

        ApiResponse refused = registerTpm("tpm-4", tpm.endorsementKey(), SoftwareTpm.create().storageRootKey(),
                tpmToken("tpm-4", key));

        assertThat(refused.status()).isEqualTo(401);
    }

    @Test
    void aWrongEndorsementKeyOrAnUnknownIdGetsAPlain401WithoutABlob() {
        SoftwareTpm enrolled = SoftwareTpm.create();
        SoftwareTpm other = SoftwareTpm.create();
        enrollTpm("tpm-5", enrolled.endorsementKey());

        for (ApiResponse refused : new ApiResponse[] {registerTpm("tpm-5", other, null), registerTpm("tpm-none", other, null)}) {
            assertThat(refused.status()).isEqualTo(401);
            assertThat(body(refused).get("errorCode").asInt()).isEqualTo(401002);
            assertThat(body(refused).has("authenticationKey")).isFalse();
        }
    }

    @Test
    void anEndorsementKeyThatIsNotATpmPublicAreaIsABadRequest() {
        SoftwareTpm tpm = SoftwareTpm.create();
        enrollTpm("tpm-6", tpm.endorsementKey());

        ApiResponse response = registerTpm("tpm-6", "not a key".getBytes(StandardCharsets.UTF_8), tpm.storageRootKey(),
                null);

        assertThat(response.status()).isEqualTo(400);
        assertThat(body(response).get("errorCode").asInt()).isEqualTo(400010);
    }

    // --- X.509 and no credentials -------------------------------------------------------------------------

    @Test
    void aRequestWithoutAnyCredentialIsUnauthorized() {
        ApiResponse response = call("PUT", "nobody", "register", Map.of(), "{\"registrationId\":\"nobody\"}");

        assertThat(response.status()).isEqualTo(401);
        assertThat(body(response).get("message").asText()).contains("no credentials");
    }

    @Test
    void anUnreadableClientCertificateIsUnauthorized() {
        ApiResponse response = call("PUT", "x509-1", "register", Map.of(DeviceApi.CLIENT_CERTIFICATE, "bm90IGEgY2VydA=="),
                "{\"registrationId\":\"x509-1\"}");

        assertThat(response.status()).isEqualTo(401);
        assertThat(body(response).get("errorCode").asInt()).isEqualTo(401002);
    }

    @Test
    void intermediatesForwardedWithTheLeafLinkItToItsGroupAndPollsNeedOnlyTheLeaf() {
        Credential root = TestPki.rootCa("Api Root").issue();
        Credential intermediate = TestPki.intermediateCa("Api Intermediate", root).issue();
        ApiResponse group = dps.api.enrollmentGroup(dps.owner("PUT").json("{\"enrollmentGroupId\":\"api-group\","
                + "\"attestation\":{\"type\":\"x509\",\"x509\":{\"signingCertificates\":{\"primary\":{\"certificate\":\""
                + root.certificatePem().replace("\n", "\\n") + "\"}}}}}").build(), "api-group");
        assertThat(group.status()).isEqualTo(200);
        Credential leaf = TestPki.device("api-x509-device", intermediate).issue();

        ApiResponse leafOnly = call("PUT", "api-x509-device", "register",
                Map.of(DeviceApi.CLIENT_CERTIFICATE, leaf.base64Der()), "{\"registrationId\":\"api-x509-device\"}");
        ApiResponse withChain = call("PUT", "api-x509-device", "register", Map.of(DeviceApi.CLIENT_CERTIFICATE,
                leaf.base64Der(), DeviceApi.PRESENTED_CHAIN, intermediate.base64Der()),
                "{\"registrationId\":\"api-x509-device\"}");

        assertThat(leafOnly.status()).as("the intermediate is neither in the group nor presented").isEqualTo(401);
        assertThat(withChain.status()).as(text(withChain)).isEqualTo(202);
        JsonNode x509 = body(withChain).at("/registrationState/x509");
        assertThat(x509.get("enrollmentGroupId").asText()).isEqualTo("api-group");
        assertThat(x509.at("/signingCertificateInfo/subjectName").asText()).isEqualTo("CN=Api Root");
        assertThat(x509.at("/certificateInfo/subjectName").asText()).isEqualTo("CN=api-x509-device");
        ApiResponse poll = call("GET", "api-x509-device", body(withChain).get("operationId").asText(),
                Map.of(DeviceApi.CLIENT_CERTIFICATE, leaf.base64Der()), null);
        assertThat(poll.status()).isEqualTo(200);
    }
}
