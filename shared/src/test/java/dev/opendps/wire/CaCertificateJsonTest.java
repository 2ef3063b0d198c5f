package dev.opendps.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.CaCertificate;
import dev.opendps.domain.RecordVersion;
import dev.opendps.domain.x509.CertificateParser;
import dev.opendps.domain.x509.ParsedCertificate;
import dev.opendps.testing.CaTestCertificates;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Registered CA certificates in ARM's certificate resource shapes, and as stored. */
class CaCertificateJsonTest {
    private static final ParsedCertificate PARSED =
            CertificateParser.parse(CaTestCertificates.rootCa("Json Test CA").pem());
    private static final RecordVersion VERSION = new RecordVersion("etag-1",
            Instant.parse("2024-03-01T08:30:15.123Z"), Instant.parse("2024-03-02T09:45:00Z"));

    private static JsonNode parse(String json) {
        return Json.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static CaCertificate pending() {
        return new CaCertificate("root-ca", PARSED.pem(), PARSED.info(), false, "0A1B2C", VERSION);
    }

    @Test
    void aCertificateResponseHasTheArmShapeWithoutTheVerificationCode() {
        String base64Der = PARSED.pem().replaceAll("-----[A-Z ]+-----|\\n", "");
        JsonNode expected = parse("{\"name\":\"root-ca\",\"etag\":\"\\\"etag-1\\\"\","
                + "\"type\":\"Microsoft.Devices/provisioningServices/Certificates\","
                + "\"properties\":{\"subject\":\"CN=Json Test CA, O=OpenDPS Tests, C=US\","
                + "\"expiry\":\"" + Timestamps.format(PARSED.info().notAfterUtc()) + "\","
                + "\"thumbprint\":\"" + PARSED.info().sha1Thumbprint() + "\",\"isVerified\":false,"
                + "\"created\":\"2024-03-01T08:30:15.1230000Z\",\"updated\":\"2024-03-02T09:45:00.0000000Z\","
                + "\"certificate\":\"" + base64Der + "\"}}");

        assertThat(CaCertificateJson.write(pending())).isEqualTo(expected);
    }

    @Test
    void aVerificationCodeResponseAddsTheCode() {
        JsonNode response = CaCertificateJson.writeWithVerificationCode(pending());

        assertThat(response.at("/properties/verificationCode").asText()).isEqualTo("0A1B2C");
        ((com.fasterxml.jackson.databind.node.ObjectNode) response.get("properties")).remove("verificationCode");
        assertThat(response).isEqualTo(CaCertificateJson.write(pending()));
    }

    @Test
    void aListIsTheValueArrayOfCertificateResponses() {
        JsonNode list = CaCertificateJson.writeList(List.of(pending()));

        assertThat(list.get("value")).containsExactly(CaCertificateJson.write(pending()));
    }

    @Test
    void uploadsAreReadFromTheTopLevelOrFromArmProperties() {
        CaCertificateJson.Upload plain =
                CaCertificateJson.readUpload(parse("{\"certificate\":\"AAA\",\"isVerified\":true}"));
        CaCertificateJson.Upload arm = CaCertificateJson.readUpload(
                parse("{\"name\":\"x\",\"properties\":{\"certificate\":\"BBB\"}}"));

        assertThat(plain).isEqualTo(new CaCertificateJson.Upload("AAA", true));
        assertThat(arm).isEqualTo(new CaCertificateJson.Upload("BBB", null));
        assertThat(CaCertificateJson.readVerificationCertificate(parse("{\"certificate\":\"CCC\"}"))).isEqualTo("CCC");
    }

    @Test
    void theStoredDocumentKeepsEverythingAndTheBareEtag() {
        CaCertificate verified = pending().asVerified();

        for (CaCertificate certificate : List.of(pending(), verified)) {
            String document = StorageCodecs.caCertificates().encode(certificate);
            assertThat(StorageCodecs.caCertificates().decode(document)).isEqualTo(certificate);
            assertThat(parse(document).get("etag").asText()).isEqualTo("etag-1");
        }
    }
}
