package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.api.ServiceApiFixture.Request;
import dev.opendps.testing.CaTestCertificates;
import dev.opendps.testing.CaTestCertificates.Ca;
import dev.opendps.testing.TestCredentials;
import dev.opendps.wire.Json;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registered CA certificates and their proof of possession (dps-protocol.md §2.2) on the service endpoint,
 * over a real embedded store: ARM certificate shapes, the §4.3 etag rules, the {@code ServiceConfig} right.
 */
class CaCertificateApiTest {
    private static Ca rootCa;
    private static Ca otherCa;

    @TempDir
    Path dataDir;

    ServiceApiFixture dps;
    ServiceApi api;

    @BeforeAll
    static void makeCertificates() {
        rootCa = CaTestCertificates.rootCa("OpenDPS Test Root CA");
        otherCa = CaTestCertificates.rootCa("OpenDPS Other Root CA");
    }

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir);
        api = dps.api;
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static String upload(String certificate, Boolean isVerified) {
        ObjectNode body = Json.object().put("certificate", certificate);
        if (isVerified != null) {
            body.put("isVerified", isVerified);
        }
        return Json.string(body);
    }

    private ApiResponse put(String name, String json) {
        return api.certificate(dps.owner("PUT").json(json).build(), name);
    }

    private ApiResponse put(String name, String json, String ifMatch) {
        return api.certificate(dps.owner("PUT").json(json).header("If-Match", ifMatch).build(), name);
    }

    private ApiResponse get(String name) {
        return api.certificate(dps.owner("GET").build(), name);
    }

    private ApiResponse generateCode(String name) {
        return api.certificateVerificationCode(dps.owner("POST").build(), name);
    }

    private ApiResponse verify(String name, String proof) {
        return api.certificateVerification(dps.owner("POST")
                .json(Json.string(Json.object().put("certificate", proof))).build(), name);
    }

    private static String code(ApiResponse response) {
        return body(response).at("/properties/verificationCode").asText();
    }

    private static int errorCode(ApiResponse response) {
        return body(response).get("errorCode").asInt();
    }

    /** Uploads {@link #rootCa} unverified and returns its pending verification code. */
    private String uploadAndGenerateCode(String name) {
        assertThat(put(name, upload(rootCa.pem(), null)).status()).isEqualTo(200);
        ApiResponse generated = generateCode(name);
        assertThat(generated.status()).isEqualTo(200);
        return code(generated);
    }

    /** The proof is refused with 400018 and the stored certificate is exactly as before. */
    private void assertRefusedAndUnchanged(String name, String proof) {
        JsonNode before = body(get(name));

        ApiResponse refused = verify(name, proof);

        assertThat(refused.status()).isEqualTo(400);
        assertThat(errorCode(refused)).isEqualTo(400018);
        assertThat(body(refused).get("message").asText()).isNotBlank();
        assertThat(body(refused).get("trackingId").asText()).isNotBlank();
        assertThat(body(get(name))).isEqualTo(before);
        assertThat(body(get(name)).at("/properties/isVerified").asBoolean()).isFalse();
    }

    // --- upload --------------------------------------------------------------------------------------------

    @Test
    void uploadingAPemCaCertificateAnswersTheArmCertificateShape() throws Exception {
        ApiResponse response = put("root-ca", upload(rootCa.pem(), null));

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = body(response);
        assertThat(body.get("name").asText()).isEqualTo("root-ca");
        assertThat(body.get("etag").asText()).startsWith("\"").endsWith("\"");
        assertThat(body.get("type").asText()).isEqualTo("Microsoft.Devices/provisioningServices/Certificates");
        JsonNode properties = body.get("properties");
        assertThat(properties.get("subject").asText()).isEqualTo("CN=OpenDPS Test Root CA, O=OpenDPS Tests, C=US");
        String sha1 = HexFormat.of().withUpperCase().formatHex(
                MessageDigest.getInstance("SHA-1").digest(rootCa.certificate().getEncoded()));
        assertThat(properties.get("thumbprint").asText()).isEqualTo(sha1);
        assertThat(properties.get("isVerified").asBoolean()).isFalse();
        assertThat(properties.get("certificate").asText()).isEqualTo(rootCa.base64Der());
        String timestamp = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}Z";
        assertThat(properties.get("expiry").asText()).matches(timestamp)
                .startsWith(rootCa.certificate().getNotAfter().toInstant().toString().substring(0, 19));
        assertThat(properties.get("created").asText()).matches(timestamp);
        assertThat(properties.get("updated").asText()).matches(timestamp);
        assertThat(properties.has("verificationCode")).isFalse();
    }

    @Test
    void base64DerInTheArmPropertiesFormIsAcceptedAndCanBeVerifiedAtUpload() {
        String armBody = Json.string(Json.object().set("properties",
                Json.object().put("certificate", rootCa.base64Der()).put("isVerified", true)));

        ApiResponse response = put("auto-verified", armBody);

        assertThat(response.status()).isEqualTo(200);
        assertThat(body(response).at("/properties/isVerified").asBoolean()).isTrue();
        assertThat(body(response).at("/properties/certificate").asText()).isEqualTo(rootCa.base64Der());
        assertThat(body(get("auto-verified")).at("/properties/isVerified").asBoolean()).isTrue();
    }

    @Test
    void uploadingAnExistingNameWithoutIfMatchIsAConflict() {
        put("root-ca", upload(rootCa.pem(), null));

        ApiResponse again = put("ROOT-CA", upload(otherCa.pem(), null));

        assertThat(again.status()).isEqualTo(409);
        assertThat(errorCode(again)).isEqualTo(409201);
        assertThat(body(get("root-ca")).at("/properties/certificate").asText()).isEqualTo(rootCa.base64Der());
    }

    @Test
    void replacingWithTheCurrentEtagResetsVerificationAndAStaleEtagIs412() {
        JsonNode created = body(put("root-ca", upload(rootCa.pem(), true)));
        String etag = created.get("etag").asText();

        ApiResponse replaced = put("root-ca", upload(otherCa.pem(), null), etag);
        ApiResponse stale = put("root-ca", upload(rootCa.pem(), null), etag);

        assertThat(replaced.status()).isEqualTo(200);
        assertThat(body(replaced).at("/properties/certificate").asText()).isEqualTo(otherCa.base64Der());
        assertThat(body(replaced).at("/properties/isVerified").asBoolean()).isFalse();
        assertThat(body(replaced).get("etag")).isNotEqualTo(created.get("etag"));
        assertThat(body(replaced).at("/properties/created")).isEqualTo(created.at("/properties/created"));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(errorCode(stale)).isEqualTo(412001);
    }

    @Test
    void replacingTheCertificateDropsAPendingVerificationCode() {
        String code = uploadAndGenerateCode("root-ca");
        put("root-ca", upload(otherCa.pem(), null), "*");

        ApiResponse response = verify("root-ca", otherCa.issue(code));

        assertThat(response.status()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo(400018);
    }

    @Test
    void reUploadingTheSameCertificateKeepsItsVerification() {
        put("root-ca", upload(rootCa.pem(), true));

        ApiResponse again = put("root-ca", upload(rootCa.base64Der(), null), "*");

        assertThat(body(again).at("/properties/isVerified").asBoolean()).isTrue();
    }

    @Test
    void getAndListReturnWhatWasStored() {
        JsonNode second = body(put("second-ca", upload(otherCa.pem(), true)));
        JsonNode first = body(put("first-ca", upload(rootCa.pem(), null)));

        ApiResponse got = get("FIRST-CA");
        ApiResponse listed = api.certificates(dps.owner("GET").build());

        assertThat(got.status()).isEqualTo(200);
        assertThat(body(got)).isEqualTo(first);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(body(listed).get("value")).containsExactly(first, second);
    }

    @Test
    void anInstanceWithoutCertificatesListsAnEmptyValue() {
        ApiResponse listed = api.certificates(dps.owner("GET").build());

        assertThat(listed.status()).isEqualTo(200);
        assertThat(body(listed).get("value").isArray()).isTrue();
        assertThat(body(listed).get("value")).isEmpty();
    }

    // --- verification code and proof of possession ---------------------------------------------------------

    @Test
    void generateVerificationCodeAnswersAFreshUpperCaseHexCodeThatGetDoesNotShow() {
        put("root-ca", upload(rootCa.pem(), null));

        ApiResponse first = generateCode("root-ca");
        ApiResponse second = generateCode("root-ca");

        assertThat(first.status()).isEqualTo(200);
        assertThat(code(first)).matches("[0-9A-F]{48}");
        assertThat(code(second)).matches("[0-9A-F]{48}").isNotEqualTo(code(first));
        assertThat(body(first).get("type").asText()).isEqualTo("Microsoft.Devices/provisioningServices/Certificates");
        assertThat(body(first).at("/properties/isVerified").asBoolean()).isFalse();
        assertThat(body(get("root-ca")).at("/properties").has("verificationCode")).isFalse();
    }

    @Test
    void aCertificateWithTheCodeAsCnSignedByTheCaVerifiesIt() {
        String code = uploadAndGenerateCode("root-ca");
        String proof = rootCa.issue(code);

        ApiResponse verified = verify("root-ca", proof);

        assertThat(verified.status()).isEqualTo(200);
        assertThat(body(verified).at("/properties/isVerified").asBoolean()).isTrue();
        assertThat(body(verified).at("/properties").has("verificationCode")).isFalse();
        assertThat(body(get("root-ca")).at("/properties/isVerified").asBoolean()).isTrue();
        ApiResponse reused = verify("root-ca", proof);
        assertThat(reused.status()).isEqualTo(400);
        assertThat(errorCode(reused)).as("the code is used up").isEqualTo(400018);
    }

    @Test
    void theProofMayBeBase64DerAndTheEtagMayBeGiven() {
        uploadAndGenerateCode("root-ca");
        JsonNode current = body(get("root-ca"));
        String code = code(api.certificateVerificationCode(dps.owner("POST")
                .header("If-Match", current.get("etag").asText()).build(), "root-ca"));
        String proofDer = rootCa.issue(code).replaceAll("-----[A-Z ]+-----|\\s", "");

        ApiResponse verified = api.certificateVerification(dps.owner("POST")
                .json(Json.string(Json.object().put("certificate", proofDer)))
                .header("If-Match", body(get("root-ca")).get("etag").asText()).build(), "root-ca");

        assertThat(verified.status()).isEqualTo(200);
        assertThat(body(verified).at("/properties/isVerified").asBoolean()).isTrue();
    }

    @Test
    void aProofWithAnotherCnIsRefused() {
        uploadAndGenerateCode("root-ca");

        assertRefusedAndUnchanged("root-ca", rootCa.issue("not-the-code"));
    }

    @Test
    void aProofWithAnOlderCodeIsRefused() {
        String older = uploadAndGenerateCode("root-ca");
        generateCode("root-ca");

        assertRefusedAndUnchanged("root-ca", rootCa.issue(older));
    }

    @Test
    void aProofSignedByAnotherKeyIsRefusedEvenUnderTheCasName() {
        String code = uploadAndGenerateCode("root-ca");

        assertRefusedAndUnchanged("root-ca", rootCa.impostor().issue(code));
        assertRefusedAndUnchanged("root-ca", otherCa.issue(code));
    }

    @Test
    void anExpiredProofIsRefused() {
        String code = uploadAndGenerateCode("root-ca");
        Instant now = Instant.now();

        assertRefusedAndUnchanged("root-ca",
                rootCa.issue(code, now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1))));
    }

    @Test
    void aProofNotYetValidIsRefused() {
        String code = uploadAndGenerateCode("root-ca");
        Instant now = Instant.now();

        assertRefusedAndUnchanged("root-ca",
                rootCa.issue(code, now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(10))));
    }

    @Test
    void verifyingBeforeAnyCodeIsRefused() {
        put("root-ca", upload(rootCa.pem(), null));

        assertRefusedAndUnchanged("root-ca", rootCa.issue("0123456789ABCDEF"));
    }

    @Test
    void afterAFailedProofTheCodeStillWorks() {
        String code = uploadAndGenerateCode("root-ca");
        verify("root-ca", otherCa.issue(code));

        ApiResponse verified = verify("root-ca", rootCa.issue(code));

        assertThat(verified.status()).isEqualTo(200);
        assertThat(body(verified).at("/properties/isVerified").asBoolean()).isTrue();
    }

    @Test
    void aGarbageOrMissingProofIs400009AndChangesNothing() {
        uploadAndGenerateCode("root-ca");
        JsonNode before = body(get("root-ca"));

        ApiResponse garbage = verify("root-ca", "bm90IGEgY2VydA==");
        ApiResponse missing = api.certificateVerification(dps.owner("POST").json("{}").build(), "root-ca");
        ApiResponse privateKey = verify("root-ca",
                "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----");

        for (ApiResponse response : List.of(garbage, missing, privateKey)) {
            assertThat(response.status()).isEqualTo(400);
            assertThat(errorCode(response)).isEqualTo(400009);
        }
        assertThat(body(get("root-ca"))).isEqualTo(before);
    }

    @Test
    void generateWithAStaleEtagIs412() {
        JsonNode created = body(put("root-ca", upload(rootCa.pem(), null)));
        generateCode("root-ca");

        ApiResponse stale = api.certificateVerificationCode(dps.owner("POST")
                .header("If-Match", created.get("etag").asText()).build(), "root-ca");

        assertThat(stale.status()).isEqualTo(412);
        assertThat(errorCode(stale)).isEqualTo(412001);
    }

    // --- what is refused -----------------------------------------------------------------------------------

    @Test
    void aCertificateThatIsNotACaIs400009() {
        ApiResponse response = put("leaf", upload(TestCredentials.selfSignedCertificatePem("a-device"), null));

        assertThat(response.status()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo(400009);
        assertThat(body(response).get("message").asText()).contains("not a CA certificate");
        assertThat(get("leaf").status()).isEqualTo(404);
    }

    @Test
    void aCaWhoseKeyUsageForbidsSigningCertificatesIs400009() {
        ApiResponse response = put("no-sign",
                upload(CaTestCertificates.caWithoutCertificateSigning("Odd CA").pem(), null));

        assertThat(response.status()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo(400009);
    }

    @Test
    void privateKeysGarbageAndMissingCertificatesAre400009() {
        ApiResponse privateKey = put("root-ca", upload(rootCa.pem()
                + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", null));
        ApiResponse garbage = put("root-ca", upload("bm90IGEgY2VydA==", null));
        ApiResponse missing = put("root-ca", "{\"isVerified\":true}");

        for (ApiResponse response : List.of(privateKey, garbage, missing)) {
            assertThat(response.status()).isEqualTo(400);
            assertThat(errorCode(response)).isEqualTo(400009);
        }
        assertThat(body(privateKey).get("message").asText()).contains("private key");
        assertThat(get("root-ca").status()).isEqualTo(404);
    }

    @Test
    void malformedBodiesAreTheUsual400s() {
        assertThat(errorCode(put("root-ca", "{not json"))).isEqualTo(400012);
        assertThat(errorCode(put("root-ca", "[1]"))).isEqualTo(400012);
        assertThat(errorCode(put("root-ca", "{\"certificate\":\"x\",\"isVerified\":\"yes\"}"))).isEqualTo(400004);
        assertThat(errorCode(put("root-ca", "{\"properties\":\"x\"}"))).isEqualTo(400004);
        assertThat(errorCode(api.certificateVerification(dps.owner("POST").json("{oops").build(), "root-ca")))
                .isEqualTo(400012);
    }

    @Test
    void namesOutsideLettersDigitsDashAndUnderscoreAre400017() {
        for (String name : List.of("bad.name", "bad name", "ünicode", "x".repeat(129))) {
            ApiResponse response = put(name, upload(rootCa.pem(), null));
            assertThat(response.status()).as(name).isEqualTo(400);
            assertThat(errorCode(response)).as(name).isEqualTo(400017);
        }
        assertThat(put("Good_name-1", upload(rootCa.pem(), null)).status()).isEqualTo(200);
        assertThat(put("y".repeat(128), upload(rootCa.pem(), null)).status()).isEqualTo(200);
    }

    @Test
    void aPolicyWithoutServiceConfigIs401003() {
        put("root-ca", upload(rootCa.pem(), null));
        List<ApiResponse> responses = List.of(
                api.certificates(dps.as(dps.readOnly).method("GET").build()),
                api.certificate(dps.as(dps.readOnly).method("GET").build(), "root-ca"),
                api.certificate(dps.as(dps.readOnly).method("PUT").json(upload(otherCa.pem(), null)).build(), "other"),
                api.certificate(dps.as(dps.readOnly).method("DELETE").build(), "root-ca"),
                api.certificateVerificationCode(dps.as(dps.readOnly).method("POST").build(), "root-ca"),
                api.certificateVerification(dps.as(dps.readOnly).method("POST")
                        .json(upload(rootCa.issue("x"), null)).build(), "root-ca"));

        for (ApiResponse response : responses) {
            assertThat(response.status()).isEqualTo(401);
            assertThat(errorCode(response)).isEqualTo(401003);
        }
        assertThat(get("root-ca").status()).isEqualTo(200);
    }

    @Test
    void requestsWithoutAValidTokenAre401002() {
        ApiResponse response = api.certificates(new Request(null).build());

        assertThat(response.status()).isEqualTo(401);
        assertThat(errorCode(response)).isEqualTo(401002);
    }

    // --- delete and missing certificates -------------------------------------------------------------------

    @Test
    void deleteIs204AndThenTheCertificateIs404() {
        put("root-ca", upload(rootCa.pem(), true));

        ApiResponse deleted = api.certificate(dps.owner("DELETE").build(), "root-ca");
        ApiResponse got = get("root-ca");

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(got.status()).isEqualTo(404);
        assertThat(errorCode(got)).isEqualTo(404206);
        assertThat(body(api.certificates(dps.owner("GET").build())).get("value")).isEmpty();
    }

    @Test
    void deleteWithAStaleEtagIs412AndKeepsTheCertificate() {
        JsonNode created = body(put("root-ca", upload(rootCa.pem(), null)));
        generateCode("root-ca");

        ApiResponse stale = api.certificate(dps.owner("DELETE").header("If-Match", created.get("etag").asText())
                .build(), "root-ca");

        assertThat(stale.status()).isEqualTo(412);
        assertThat(get("root-ca").status()).isEqualTo(200);
    }

    @Test
    void operationsOnAMissingCertificateAre404() {
        List<ApiResponse> responses = List.of(
                get("nothing"),
                api.certificate(dps.owner("DELETE").build(), "nothing"),
                generateCode("nothing"),
                verify("nothing", rootCa.issue("code")),
                put("nothing", upload(rootCa.pem(), null), "\"some-etag\""));

        for (ApiResponse response : responses) {
            assertThat(response.status()).isEqualTo(404);
            assertThat(errorCode(response)).isEqualTo(404206);
        }
    }

    @Test
    void otherMethodsAre405() {
        ApiResponse post = api.certificate(dps.owner("POST").build(), "root-ca");
        ApiResponse deleteAll = api.certificates(dps.owner("DELETE").build());

        assertThat(post.status()).isEqualTo(405);
        assertThat(deleteAll.status()).isEqualTo(405);
    }
}
