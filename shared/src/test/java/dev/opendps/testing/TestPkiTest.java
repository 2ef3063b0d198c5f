package dev.opendps.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.testing.TestPki.Credential;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestPkiTest {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    @Test
    void aRootIsASelfSignedCaWithCertificateSigningUsage() throws Exception {
        X509Certificate root = TestPki.rootCa("Root").issue().certificate();

        root.verify(root.getPublicKey());
        assertThat(root.getSubjectX500Principal().getName()).isEqualTo("CN=Root");
        assertThat(root.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
        assertThat(root.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
        assertThat(root.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(root.getPublicKey()).isInstanceOf(ECPublicKey.class);
    }

    @Test
    void aDeviceCertificateIsIssuedByItsCaForClientAuthentication() throws Exception {
        Credential root = TestPki.rootCa("Root").issue();
        Credential intermediate = TestPki.intermediateCa("Intermediate", root).ca(0).issue();
        Credential device = TestPki.device("device-01", intermediate).issue();
        X509Certificate leaf = device.certificate();

        leaf.verify(intermediate.certificate().getPublicKey());
        intermediate.certificate().verify(root.certificate().getPublicKey());
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(intermediate.certificate().getSubjectX500Principal());
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(leaf.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
        assertThat(intermediate.certificate().getBasicConstraints()).isZero();
        assertThat(device.chain()).containsExactly(leaf, intermediate.certificate(), root.certificate());
        assertThat(device.issuer()).isSameAs(intermediate);
        assertThat(device.commonName()).isEqualTo("device-01");
    }

    @Test
    void aDeviceWithoutIssuerIsSelfSigned() throws Exception {
        X509Certificate leaf = TestPki.device("device-02").issue().certificate();

        leaf.verify(leaf.getPublicKey());
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(leaf.getSubjectX500Principal());
    }

    @Test
    void validityOptions() {
        Instant now = Instant.now();

        assertThat(TestPki.device("d").expired().issue().certificate().getNotAfter().toInstant()).isBefore(now);
        assertThat(TestPki.device("d").notYetValid().issue().certificate().getNotBefore().toInstant()).isAfter(now);
        Credential current = TestPki.device("d").issue();
        assertThat(current.certificate().getNotBefore().toInstant()).isBefore(now);
        assertThat(current.certificate().getNotAfter().toInstant()).isAfter(now);
    }

    @Test
    void rsaKeysOnRequest() throws Exception {
        Credential root = TestPki.rootCa("RSA Root").rsa().issue();
        Credential device = TestPki.device("rsa-device", root).issue();

        assertThat(((RSAPublicKey) root.certificate().getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
        assertThat(root.certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
        device.certificate().verify(root.certificate().getPublicKey());
    }

    @Test
    void pemAndBase64DerDecodeToTheSameCertificate() throws Exception {
        Credential device = TestPki.device("device-03").issue();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");

        String pem = device.certificatePem();
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("\n-----END CERTIFICATE-----\n");
        assertThat(factory.generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(device.certificate());
        assertThat(device.base64Der()).doesNotContain("\n");
        assertThat(factory.generateCertificate(new ByteArrayInputStream(Base64.getDecoder()
                .decode(device.base64Der())))).isEqualTo(device.certificate());
        assertThat(TestPki.pem(List.of(device.certificate(), device.certificate()))).isEqualTo(pem + pem);
    }

    @Test
    void thePrivateKeyIsPkcs8PemThatSignsForTheCertificate() throws Exception {
        Credential device = TestPki.device("device-04").issue();
        String pem = device.privateKeyPem();

        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("\n-----END PRIVATE KEY-----\n");
        String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "");
        PrivateKey key = KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(body)));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(device.certificate().getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void aVerificationCertificateNamesTheCodeAndIsSignedByTheCa() throws Exception {
        Credential ca = TestPki.rootCa("Verified CA").issue();

        X509Certificate proof = ca.verificationCertificate("0123456789ABCDEF").certificate();

        assertThat(proof.getSubjectX500Principal().getName()).isEqualTo("CN=0123456789ABCDEF");
        assertThat(proof.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(proof.getPublicKey()).isNotEqualTo(ca.certificate().getPublicKey());
        proof.verify(ca.certificate().getPublicKey());
    }

    @Test
    void theKeyPairCanBeReused() {
        Credential original = TestPki.rootCa("CA").issue();

        Credential reissued = TestPki.rootCa("CA").keyPair(original.keyPair()).issue();

        assertThat(reissued.certificate().getPublicKey()).isEqualTo(original.certificate().getPublicKey());
        assertThat(reissued.certificate()).isNotEqualTo(original.certificate());
    }
}
