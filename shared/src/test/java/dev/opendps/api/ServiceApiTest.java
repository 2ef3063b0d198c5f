package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.api.ServiceApiFixture.Request;
import dev.opendps.domain.SharedAccessPolicy;
import dev.opendps.testing.TestCredentials;
import dev.opendps.wire.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The enrollment service API (dps-protocol.md §4) over a real embedded store, without an HTTP host. */
class ServiceApiTest {
    @TempDir
    java.nio.file.Path dataDir;

    ServiceApiFixture dps;
    ServiceApi api;

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir);
        api = dps.api;
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
    }

    private ApiResponse putEnrollment(String id, String json) {
        return api.individualEnrollment(dps.owner("PUT").json(json).build(), id);
    }

    private static String symmetricKeyEnrollment(String id) {
        return "{\"registrationId\":\"" + id + "\",\"attestation\":{\"type\":\"symmetricKey\"}}";
    }

    @Test
    void createsAnEnrollmentWithGeneratedKeysAndDpsShapes() {
        ApiResponse response = putEnrollment("dev-001", "{\"registrationId\":\"dev-001\",\"deviceId\":\"dev-001\","
                + "\"attestation\":{\"type\":\"symmetricKey\"},\"capabilities\":{\"iotEdge\":true},"
                + "\"initialTwin\":{\"tags\":{\"site\":\"a\"},\"properties\":{\"desired\":{\"fw\":\"1.0\"}}},"
                + "\"allocationPolicy\":\"hashed\",\"iotHubs\":[\"hub1.azure-devices.net\"]}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers()).containsEntry("Content-Type", "application/json; charset=utf-8");
        JsonNode body = body(response);
        assertThat(body.get("registrationId").asText()).isEqualTo("dev-001");
        assertThat(Base64.getDecoder().decode(body.at("/attestation/symmetricKey/primaryKey").asText())).hasSize(32);
        assertThat(Base64.getDecoder().decode(body.at("/attestation/symmetricKey/secondaryKey").asText())).hasSize(32);
        assertThat(body.at("/capabilities/iotEdge").asBoolean()).isTrue();
        assertThat(body.at("/initialTwin/properties/desired/fw").asText()).isEqualTo("1.0");
        assertThat(body.at("/reprovisionPolicy/migrateDeviceData").asBoolean()).isTrue();
        assertThat(body.get("provisioningStatus").asText()).isEqualTo("enabled");
        assertThat(body.get("etag").asText()).startsWith("\"").endsWith("\"");
        assertThat(body.get("createdDateTimeUtc").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}Z");
    }

    @Test
    void getReturnsWhatWasStored() {
        JsonNode created = body(putEnrollment("dev-002", symmetricKeyEnrollment("dev-002")));

        ApiResponse got = api.individualEnrollment(dps.owner("GET").build(), "DEV-002");

        assertThat(got.status()).isEqualTo(200);
        assertThat(body(got)).isEqualTo(created);
    }

    @Test
    void putWithoutIfMatchOnAnExistingEnrollmentIsAConflict() {
        putEnrollment("dev-003", symmetricKeyEnrollment("dev-003"));

        ApiResponse again = putEnrollment("dev-003", symmetricKeyEnrollment("dev-003"));

        assertThat(again.status()).isEqualTo(409);
        assertThat(body(again).get("errorCode").asInt()).isEqualTo(409201);
    }

    @Test
    void replaceWithTheCurrentEtagSucceedsAndAStaleEtagIs412() {
        JsonNode created = body(putEnrollment("dev-004", symmetricKeyEnrollment("dev-004")));
        ObjectNode update = ((ObjectNode) created.deepCopy()).put("provisioningStatus", "disabled");

        ApiResponse replaced = api.individualEnrollment(dps.owner("PUT").json(update)
                .header("If-Match", created.get("etag").asText()).build(), "dev-004");
        ApiResponse stale = api.individualEnrollment(dps.owner("PUT").json(update)
                .header("If-Match", created.get("etag").asText()).build(), "dev-004");

        assertThat(replaced.status()).isEqualTo(200);
        assertThat(body(replaced).get("provisioningStatus").asText()).isEqualTo("disabled");
        assertThat(body(replaced).get("etag")).isNotEqualTo(created.get("etag"));
        assertThat(body(replaced).get("createdDateTimeUtc")).isEqualTo(created.get("createdDateTimeUtc"));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(body(stale).get("errorCode").asInt()).isEqualTo(412001);
    }

    @Test
    void ifMatchIsComparedWithoutQuotesAsCSharpSendsThem() {
        JsonNode created = body(putEnrollment("dev-005", symmetricKeyEnrollment("dev-005")));
        String bare = created.get("etag").asText().replace("\"", "");

        ApiResponse replaced = api.individualEnrollment(dps.owner("PUT").json(created)
                .header("If-Match", "\"" + bare + "\"").build(), "dev-005");
        ApiResponse deleted = api.individualEnrollment(dps.owner("DELETE")
                .header("If-Match", body(replaced).get("etag").asText()).build(), "dev-005");

        assertThat(replaced.status()).isEqualTo(200);
        assertThat(deleted.status()).isEqualTo(204);
    }

    @Test
    void keysTheClientLeavesOutOfAReplaceAreKept() {
        JsonNode created = body(putEnrollment("dev-006", symmetricKeyEnrollment("dev-006")));
        String update = symmetricKeyEnrollment("dev-006");

        JsonNode replaced = body(api.individualEnrollment(dps.owner("PUT").json(update)
                .header("If-Match", "*").build(), "dev-006"));

        assertThat(replaced.at("/attestation/symmetricKey")).isEqualTo(created.at("/attestation/symmetricKey"));
    }

    @Test
    void suppliedKeysMustBeBase64Of16To64Bytes() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[8]);
        ApiResponse response = putEnrollment("dev-007", "{\"attestation\":{\"type\":\"symmetricKey\",\"symmetricKey\":"
                + "{\"primaryKey\":\"" + shortKey + "\",\"secondaryKey\":\"" + shortKey + "\"}}}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(body(response).get("errorCode").asInt()).isEqualTo(400008);
        assertThat(api.individualEnrollment(dps.owner("GET").build(), "dev-007").status()).isEqualTo(404);
    }

    @Test
    void deleteOfAMissingEnrollmentIs404WithTheDpsErrorBody() {
        ApiResponse response = api.individualEnrollment(dps.owner("DELETE").build(), "nobody");

        assertThat(response.status()).isEqualTo(404);
        JsonNode error = body(response);
        assertThat(error.get("errorCode").asInt()).isEqualTo(404202);
        assertThat(error.get("trackingId").asText()).isNotBlank();
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("timestampUtc").asText()).endsWith("Z");
    }

    @Test
    void x509EnrollmentsReturnCertificateInfoAndNeverTheCertificate() {
        String pem = TestCredentials.selfSignedCertificatePem("x509-device");
        ApiResponse response = putEnrollment("x509-device", "{\"attestation\":{\"type\":\"x509\",\"x509\":"
                + "{\"clientCertificates\":{\"primary\":{\"certificate\":" + Json.mapper().valueToTree(pem) + "}}}}}");

        assertThat(response.status()).isEqualTo(200);
        JsonNode primary = body(response).at("/attestation/x509/clientCertificates/primary");
        assertThat(primary.has("certificate")).isFalse();
        JsonNode info = primary.get("info");
        assertThat(info.get("subjectName").asText()).startsWith("CN=x509-device");
        assertThat(info.get("sha1Thumbprint").asText()).matches("[0-9A-F]{40}");
        assertThat(info.get("sha256Thumbprint").asText()).matches("[0-9A-F]{64}");
        assertThat(info.get("version").asInt()).isEqualTo(3);
        for (String field : List.of("issuerName", "notBeforeUtc", "notAfterUtc", "serialNumber")) {
            assertThat(info.get(field).asText()).isNotBlank();
        }
    }

    @Test
    void anX509ReplaceThatEchoesOnlyTheInfoKeepsTheStoredCertificate() {
        String pem = TestCredentials.selfSignedCertificatePem("x509-echo");
        JsonNode created = body(putEnrollment("x509-echo", "{\"attestation\":{\"type\":\"x509\",\"x509\":"
                + "{\"clientCertificates\":{\"primary\":{\"certificate\":" + Json.mapper().valueToTree(pem) + "}}}}}"));

        ApiResponse replaced = api.individualEnrollment(dps.owner("PUT").json(created)
                .header("If-Match", created.get("etag").asText()).build(), "x509-echo");

        assertThat(replaced.status()).isEqualTo(200);
        assertThat(body(replaced).at("/attestation/x509")).isEqualTo(created.at("/attestation/x509"));
    }

    @Test
    void privateKeysAndGarbageCertificatesAreRefused() {
        ApiResponse privateKey = putEnrollment("x509-bad", "{\"attestation\":{\"type\":\"x509\",\"x509\":"
                + "{\"clientCertificates\":{\"primary\":{\"certificate\":\"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\"}}}}}");
        ApiResponse garbage = putEnrollment("x509-bad", "{\"attestation\":{\"type\":\"x509\",\"x509\":"
                + "{\"clientCertificates\":{\"primary\":{\"certificate\":\"bm90IGEgY2VydA==\"}}}}}");

        assertThat(privateKey.status()).isEqualTo(400);
        assertThat(body(privateKey).get("errorCode").asInt()).isEqualTo(400009);
        assertThat(garbage.status()).isEqualTo(400);
    }

    @Test
    void tpmEnrollmentsNeedAParsableEndorsementKey() {
        String ek = TestCredentials.endorsementKeyBase64();
        ApiResponse good = putEnrollment("tpm-device", "{\"attestation\":{\"type\":\"tpm\",\"tpm\":{\"endorsementKey\":\"" + ek + "\"}}}");
        ApiResponse bad = putEnrollment("tpm-bad", "{\"attestation\":{\"type\":\"tpm\",\"tpm\":{\"endorsementKey\":\"AAEC\"}}}");

        assertThat(good.status()).isEqualTo(200);
        assertThat(body(good).at("/attestation/tpm/endorsementKey").asText()).isEqualTo(ek);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(body(bad).get("errorCode").asInt()).isEqualTo(400010);
    }

    @Test
    void groupsRefuseTpmAttestation() {
        ApiResponse response = api.enrollmentGroup(dps.owner("PUT").json("{\"enrollmentGroupId\":\"g1\","
                + "\"attestation\":{\"type\":\"tpm\",\"tpm\":{\"endorsementKey\":\"" + TestCredentials.endorsementKeyBase64()
                + "\"}}}").build(), "g1");

        assertThat(response.status()).isEqualTo(400);
        assertThat(body(response).get("errorCode").asInt()).isEqualTo(400013);
    }

    @Test
    void badInputIsA400NamingTheProblemAndStoresNothing() {
        assertThat(body(putEnrollment("bad-1", "{not json")).get("errorCode").asInt()).isEqualTo(400012);
        assertThat(body(putEnrollment("bad-1", "[1,2]")).get("errorCode").asInt()).isEqualTo(400012);
        assertThat(body(putEnrollment("bad-1", "{\"attestation\":{\"type\":\"symmetricKey\"},\"iotHubs\":\"hub\"}"))
                .get("errorCode").asInt()).isEqualTo(400004);
        assertThat(body(putEnrollment("bad-1", "{\"attestation\":{\"type\":\"none\"}}")).get("errorCode").asInt())
                .isEqualTo(400013);
        assertThat(body(putEnrollment("bad/1", symmetricKeyEnrollment("bad/1"))).get("errorCode").asInt())
                .isEqualTo(400005);
        assertThat(body(putEnrollment("bad-1", symmetricKeyEnrollment("other"))).get("errorCode").asInt())
                .isEqualTo(400011);
        assertThat(body(putEnrollment("bad-1", "{\"deviceId\":\"a b\",\"attestation\":{\"type\":\"symmetricKey\"}}"))
                .get("errorCode").asInt()).isEqualTo(400007);
        assertThat(api.individualEnrollment(dps.owner("GET").build(), "bad-1").status()).isEqualTo(404);
    }

    @Test
    void unknownFieldsAreIgnored() {
        ApiResponse response = putEnrollment("extra-1", "{\"attestation\":{\"type\":\"symmetricKey\"},\"somethingNew\":{\"x\":1}}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(body(response).has("somethingNew")).isFalse();
    }

    @Test
    void bodiesOver96KbAre413AndOtherMediaTypes415() {
        String padding = "x".repeat(100 * 1024);
        ApiResponse large = putEnrollment("big-1", "{\"attestation\":{\"type\":\"symmetricKey\"},\"pad\":\"" + padding + "\"}");
        ApiResponse xml = api.individualEnrollment(dps.owner("PUT").json("{}").header("Content-Type", "application/xml")
                .build(), "xml-1");

        assertThat(large.status()).isEqualTo(413);
        assertThat(body(large).get("errorCode").asInt()).isEqualTo(413001);
        assertThat(xml.status()).isEqualTo(415);
    }

    @Test
    void requestsWithoutAValidTokenAre401() {
        ApiResponse missing = api.individualEnrollment(new Request(null).build(), "any");
        ApiResponse garbage = api.individualEnrollment(new Request("SharedAccessSignature nonsense").build(), "any");
        ApiResponse expired = api.individualEnrollment(
                new Request(ServiceApiFixture.token(dps.owner(), Instant.now().minusSeconds(3600))).build(), "any");
        SharedAccessPolicy forged = new SharedAccessPolicy(SharedAccessPolicy.OWNER,
                dev.opendps.domain.SymmetricKeys.generate(), dev.opendps.domain.SymmetricKeys.generate(), Set.of());
        ApiResponse wrongKey = api.individualEnrollment(dps.as(forged).build(), "any");

        for (ApiResponse response : List.of(missing, garbage, expired, wrongKey)) {
            assertThat(response.status()).isEqualTo(401);
            assertThat(body(response).get("errorCode").asInt()).isEqualTo(401002);
        }
    }

    @Test
    void aPolicyWithoutTheRightIsRefused() {
        ApiResponse write = api.individualEnrollment(dps.as(dps.readOnly).method("PUT")
                .json(symmetricKeyEnrollment("ro-1")).build(), "ro-1");
        ApiResponse read = api.individualEnrollmentQuery(dps.as(dps.readOnly).method("POST").json("{\"query\":\"*\"}").build());

        assertThat(write.status()).isEqualTo(401);
        assertThat(body(write).get("errorCode").asInt()).isEqualTo(401003);
        assertThat(read.status()).isEqualTo(200);
    }

    @Test
    void queriesPageWithContinuationTokensAndNameTheItemType() {
        for (int i = 0; i < 7; i++) {
            putEnrollment("page-" + i, symmetricKeyEnrollment("page-" + i));
        }
        Set<String> seen = new HashSet<>();
        List<Integer> pageSizes = new ArrayList<>();
        String token = null;
        do {
            Request request = dps.owner("POST").json("{\"query\":\"select * from enrollments\"}")
                    .header("x-ms-max-item-count", "3");
            if (token != null) {
                request.header("x-ms-continuation", token);
            }
            ApiResponse page = api.individualEnrollmentQuery(request.build());
            assertThat(page.headers()).containsEntry("x-ms-item-type", "enrollment");
            body(page).forEach(e -> seen.add(e.get("registrationId").asText()));
            pageSizes.add(body(page).size());
            token = page.headers().get("x-ms-continuation");
        } while (token != null);

        assertThat(pageSizes).containsExactly(3, 3, 1);
        assertThat(seen).hasSize(7);
    }

    @Test
    void aForgedContinuationTokenIs400() {
        ApiResponse response = api.individualEnrollmentQuery(dps.owner("POST").json("{\"query\":\"*\"}")
                .header("x-ms-continuation", "!!garbage!!").build());

        assertThat(response.status()).isEqualTo(400);
    }

    @Test
    void bulkAppliesEachRecordAndReportsPerRecordErrors() {
        putEnrollment("bulk-0", symmetricKeyEnrollment("bulk-0"));
        String items = "[" + symmetricKeyEnrollment("bulk-0") + "," + symmetricKeyEnrollment("bulk-1") + ","
                + symmetricKeyEnrollment("bulk-2") + "]";

        ApiResponse create = api.individualEnrollmentBulk(dps.owner("POST")
                .json("{\"mode\":\"create\",\"enrollments\":" + items + "}").build());
        ApiResponse delete = api.individualEnrollmentBulk(dps.owner("POST")
                .json("{\"mode\":\"delete\",\"enrollments\":" + items + "}").build());

        assertThat(create.status()).isEqualTo(200);
        assertThat(body(create).get("isSuccessful").asBoolean()).isFalse();
        assertThat(body(create).get("errors")).hasSize(1);
        assertThat(body(create).at("/errors/0/registrationId").asText()).isEqualTo("bulk-0");
        assertThat(body(create).at("/errors/0/errorCode").asInt()).isEqualTo(409201);
        assertThat(body(delete).get("isSuccessful").asBoolean()).isTrue();
        assertThat(api.individualEnrollment(dps.owner("GET").build(), "bulk-1").status()).isEqualTo(404);
    }

    @Test
    void bulkRefusesMoreThanTenRecords() {
        StringBuilder items = new StringBuilder("[");
        for (int i = 0; i < 11; i++) {
            items.append(i == 0 ? "" : ",").append(symmetricKeyEnrollment("many-" + i));
        }
        ApiResponse response = api.individualEnrollmentBulk(dps.owner("POST")
                .json("{\"mode\":\"create\",\"enrollments\":" + items + "]}").build());

        assertThat(response.status()).isEqualTo(400);
        assertThat(api.individualEnrollment(dps.owner("GET").build(), "many-0").status()).isEqualTo(404);
    }

    @Test
    void attestationMechanismReturnsTheKeys() {
        JsonNode created = body(putEnrollment("att-1", symmetricKeyEnrollment("att-1")));

        ApiResponse response = api.individualEnrollmentAttestation(dps.owner("POST").build(), "att-1");

        assertThat(response.status()).isEqualTo(200);
        assertThat(body(response)).isEqualTo(created.get("attestation"));
    }

    @Test
    void groupsSupportTheSameLifecycle() {
        ApiResponse created = api.enrollmentGroup(dps.owner("PUT").json("{\"enrollmentGroupId\":\"group-1\","
                + "\"attestation\":{\"type\":\"symmetricKey\"}}").build(), "group-1");
        ApiResponse query = api.enrollmentGroupQuery(dps.owner("POST").json("{\"query\":\"*\"}").build());
        ApiResponse registrations = api.registrationStateQuery(dps.owner("POST").json("{\"query\":\"*\"}").build(), "group-1");
        ApiResponse deleted = api.enrollmentGroup(dps.owner("DELETE").build(), "group-1");

        assertThat(created.status()).isEqualTo(200);
        assertThat(body(query)).hasSize(1);
        assertThat(query.headers()).containsEntry("x-ms-item-type", "enrollmentGroup");
        assertThat(registrations.status()).isEqualTo(200);
        assertThat(registrations.headers()).containsEntry("x-ms-item-type", "deviceRegistration");
        assertThat(deleted.status()).isEqualTo(204);
    }

    @Test
    void aMissingRegistrationStateIs404() {
        ApiResponse response = api.registrationState(dps.owner("GET").build(), "never-registered");

        assertThat(response.status()).isEqualTo(404);
        assertThat(body(response).get("errorCode").asInt()).isEqualTo(404201);
    }

    @Test
    void logLinesNeverCarryTokensOrKeys() {
        List<String> lines = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage() + (record.getThrown() == null ? "" : record.getThrown().toString()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("ServiceOperations");
        logger.addHandler(capture);
        try {
            Request request = dps.owner("PUT").json("{\"attestation\":{\"type\":\"symmetricKey\",\"symmetricKey\":"
                    + "{\"primaryKey\":\"c2VjcmV0\"}}}");
            api.individualEnrollment(request.build(), "log-1");
            api.individualEnrollment(new Request(request.headers.get("Authorization") + "x").build(), "log-1");

            assertThat(lines).isNotEmpty();
            String token = request.headers.get("Authorization");
            String signature = token.substring(token.indexOf("sig=") + 4, token.indexOf("&se="));
            assertThat(String.join("\n", lines)).doesNotContain(signature).doesNotContain("c2VjcmV0")
                    .doesNotContain(dps.owner().primaryKey());
        } finally {
            logger.removeHandler(capture);
        }
    }
}
