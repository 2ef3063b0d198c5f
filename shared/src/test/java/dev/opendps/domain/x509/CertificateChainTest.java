package dev.opendps.domain.x509;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.testing.TestPki;
import dev.opendps.testing.TestPki.Credential;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.bouncycastle.asn1.DEROctetString;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CertificateChainTest {
    private static Credential root;
    private static Credential intermediate;
    private static Credential leaf;
    private static Credential otherRoot;
    private static Credential otherLeaf;

    @BeforeAll
    static void createPki() {
        root = TestPki.rootCa("Root").issue();
        intermediate = TestPki.intermediateCa("Intermediate", root).issue();
        leaf = TestPki.device("device-01", intermediate).issue();
        otherRoot = TestPki.rootCa("Other Root").issue();
        otherLeaf = TestPki.device("device-02", TestPki.intermediateCa("Other Intermediate", otherRoot).issue())
                .issue();
    }

    private static List<X509Certificate> pool(Credential... credentials) {
        List<X509Certificate> pool = new ArrayList<>();
        for (Credential credential : credentials) {
            pool.add(credential.certificate());
        }
        return pool;
    }

    @Test
    void buildsTheChainFromAShuffledPoolWithIrrelevantAndDuplicateCertificates() {
        List<X509Certificate> pool = pool(root, intermediate, otherRoot, otherLeaf, otherLeaf.issuer(), root,
                intermediate, leaf);
        Collections.shuffle(pool, new Random(42));

        assertThat(CertificateChain.build(leaf.certificate(), pool))
                .containsExactly(leaf.certificate(), intermediate.certificate(), root.certificate());
    }

    @Test
    void stopsWhereNoIssuerIsInThePool() {
        assertThat(CertificateChain.build(leaf.certificate(), pool(intermediate, otherRoot)))
                .containsExactly(leaf.certificate(), intermediate.certificate());
        assertThat(CertificateChain.build(leaf.certificate(), List.of())).containsExactly(leaf.certificate());
    }

    @Test
    void nullsInThePoolAreIgnored() {
        List<X509Certificate> pool = Arrays.asList(null, intermediate.certificate(), null, root.certificate());

        assertThat(CertificateChain.build(leaf.certificate(), pool)).hasSize(3);
    }

    @Test
    void aSelfSignedLeafIsAChainOfItsOwn() {
        Credential selfSigned = TestPki.device("device-03").issue();

        assertThat(CertificateChain.build(selfSigned.certificate(), pool(root, intermediate, selfSigned)))
                .containsExactly(selfSigned.certificate());
    }

    @Test
    void anImpostorWithTheIssuersNameButAnotherKeyIsNotPicked() {
        Credential impostor = TestPki.intermediateCa("Intermediate", root).issue();
        Credential rsaImpostor = TestPki.intermediateCa("Intermediate", root).rsa().issue();

        assertThat(CertificateChain.build(leaf.certificate(), pool(impostor, rsaImpostor, intermediate, root)))
                .containsExactly(leaf.certificate(), intermediate.certificate(), root.certificate());
    }

    @Test
    void onlyAnImpostorInThePoolEndsTheChainAtTheLeaf() {
        Credential impostor = TestPki.intermediateCa("Intermediate", otherRoot).issue();

        assertThat(CertificateChain.build(leaf.certificate(), pool(impostor, otherRoot)))
                .containsExactly(leaf.certificate());
    }

    @Test
    void crossSignedCertificatesDoNotLoop() {
        Credential a = TestPki.rootCa("A").issue();
        Credential b = TestPki.rootCa("B").issue();
        Credential aByB = TestPki.intermediateCa("A", b).keyPair(a.keyPair()).issue();
        Credential bByA = TestPki.intermediateCa("B", a).keyPair(b.keyPair()).issue();
        Credential device = TestPki.device("device-04", a).issue();

        assertThat(CertificateChain.build(device.certificate(), pool(aByB, bByA)))
                .containsExactly(device.certificate(), aByB.certificate(), bByA.certificate());
    }

    @Test
    void theChainIsCutAtTheMaximumLength() {
        List<X509Certificate> pool = new ArrayList<>();
        Credential ca = TestPki.rootCa("CA 0").issue();
        pool.add(ca.certificate());
        for (int i = 1; i <= CertificateChain.MAX_LENGTH + 2; i++) {
            ca = TestPki.intermediateCa("CA " + i, ca).issue();
            pool.add(ca.certificate());
        }
        Credential device = TestPki.device("device-05", ca).issue();

        List<X509Certificate> chain = CertificateChain.build(device.certificate(), pool);

        assertThat(chain).hasSize(CertificateChain.MAX_LENGTH);
        assertThat(chain.get(1)).isEqualTo(ca.certificate());
    }

    @Test
    void amongIssuersWithTheSameKeyTheOneValidNowIsPreferred() {
        Credential expiredCopy = TestPki.intermediateCa("Intermediate", root).keyPair(intermediate.keyPair())
                .expired().issue();
        List<X509Certificate> pool = pool(expiredCopy, intermediate, root);

        assertThat(CertificateChain.build(leaf.certificate(), pool, Instant.now()).get(1))
                .isEqualTo(intermediate.certificate());
        assertThat(CertificateChain.build(leaf.certificate(), pool).get(1))
                .as("without an instant the pool order decides").isEqualTo(expiredCopy.certificate());
    }

    @Test
    void amongIssuersWithTheSameKeyTheOneWhoseKeyIdentifierMatchesIsPreferred() throws Exception {
        Credential wrongKeyId = TestPki.intermediateCa("Intermediate", root).keyPair(intermediate.keyPair())
                .noKeyIdentifiers()
                .extension("2.5.29.14", false, new DEROctetString(new byte[] {1, 2, 3, 4}).getEncoded())
                .issue();

        assertThat(CertificateChain.build(leaf.certificate(), pool(wrongKeyId, intermediate, root), Instant.now())
                .get(1)).isEqualTo(intermediate.certificate());
    }

    @Test
    void keyIdentifiersAreRead() {
        assertThat(KeyIdentifiers.authorityKeyIdentifier(leaf.certificate()))
                .isNotEmpty()
                .isEqualTo(KeyIdentifiers.subjectKeyIdentifier(intermediate.certificate()));
        assertThat(KeyIdentifiers.authorityKeyIdentifier(root.certificate())).isNull();
        assertThat(KeyIdentifiers.subjectKeyIdentifier(TestPki.rootCa("No ids").noKeyIdentifiers().issue()
                .certificate())).isNull();
    }

    @Test
    void selfSignedMeansOwnNameAndOwnKey() {
        Credential sameNameOtherKey = TestPki.intermediateCa("Root", root).issue();

        assertThat(CertificateChain.isSelfSigned(root.certificate())).isTrue();
        assertThat(CertificateChain.isSelfSigned(intermediate.certificate())).isFalse();
        assertThat(CertificateChain.isSelfSigned(sameNameOtherKey.certificate())).isFalse();
    }

    @Test
    void aSelfIssuedCertificateSignedByAnotherKeyContinuesToItsSigner() {
        Credential rollover = TestPki.intermediateCa("Root", root).issue();
        Credential device = TestPki.device("device-06", rollover).validFor(Duration.ofDays(1)).issue();

        assertThat(CertificateChain.build(device.certificate(), pool(root, rollover)))
                .containsExactly(device.certificate(), rollover.certificate(), root.certificate());
    }
}
