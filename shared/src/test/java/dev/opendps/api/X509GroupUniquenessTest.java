package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.testing.TestPki;
import dev.opendps.testing.TestPki.Credential;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "A certificate may be in only one enrollment entry" (dps-protocol.md §2.2), for enrollment groups. */
class X509GroupUniquenessTest {
    @TempDir
    java.nio.file.Path dataDir;

    ServiceApiFixture dps;

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir);
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
    }

    private ApiResponse putGroup(String id, String x509, String ifMatch) {
        ServiceApiFixture.Request request = dps.owner("PUT").json("{\"enrollmentGroupId\":\"" + id + "\",\"attestation\":{\"type\":\"x509\","
                + "\"x509\":" + x509 + "}}");
        if (ifMatch != null) {
            request = request.header("If-Match", ifMatch);
        }
        return dps.api.enrollmentGroup(request.build(), id);
    }

    private static String signing(Credential ca) {
        return "{\"signingCertificates\":{\"primary\":{\"certificate\":\"" + ca.certificatePem().replace("\n", "\\n")
                + "\"}}}";
    }

    @Test
    void aSigningCertificateBelongsToOneGroup() {
        Credential ca = TestPki.rootCa("Unique Root").issue();
        assertThat(putGroup("group-a", signing(ca), null).status()).isEqualTo(200);

        ApiResponse second = putGroup("group-b", signing(ca), null);

        assertThat(second.status()).isEqualTo(409);
        assertThat(body(second).get("errorCode").asInt()).isEqualTo(409202);
        assertThat(body(second).get("message").asText()).contains("group-a").contains("CN=Unique Root");
        assertThat(putGroup("group-a", signing(ca), "*").status()).as("a group may keep its own certificate")
                .isEqualTo(200);
        assertThat(putGroup("group-b", signing(TestPki.rootCa("Other Root").issue()), null).status()).isEqualTo(200);
    }

    @Test
    void aCaReferenceBelongsToOneGroup() {
        assertThat(putGroup("group-c", "{\"caReferences\":{\"primary\":\"shared-root\"}}", null).status())
                .isEqualTo(200);

        ApiResponse second = putGroup("group-d", "{\"caReferences\":{\"primary\":\"SHARED-ROOT\"}}", null);

        assertThat(second.status()).isEqualTo(409);
        assertThat(body(second).get("message").asText()).contains("group-c");
    }
}
