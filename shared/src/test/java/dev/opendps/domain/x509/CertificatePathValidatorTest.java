package dev.opendps.domain.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.x509.CertificatePathException.Reason;
import dev.opendps.testing.TestPki;
import dev.opendps.testing.TestPki.Credential;
import dev.opendps.testing.TestPki.ExtendedKeyUsage;
import dev.opendps.testing.TestPki.KeyUsage;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CertificatePathValidatorTest {
    /** A private OID: no validator can know it. */
    private static final String UNKNOWN_EXTENSION = "1.3.6.1.4.1.55555.1";
    private static final byte[] DER_NULL = {0x05, 0x00};

    private static Credential root;
    private static Credential intermediate;
    private static Credential leaf;

    @BeforeAll
    static void createPki() {
        root = TestPki.rootCa("Root").issue();
        intermediate = TestPki.intermediateCa("Intermediate", root).issue();
        leaf = TestPki.device("leaf", intermediate).issue();
    }

    private static List<X509Certificate> validate(Credential device, Credential anchor) {
        return CertificatePathValidator.validate(device.chain(), anchor.certificate(), Instant.now());
    }

    private static void assertRejected(ThrowingCallable validation, Reason reason, String subject, String message) {
        assertThatThrownBy(validation).isInstanceOfSatisfying(CertificatePathException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.subjectName()).isEqualTo(subject);
            assertThat(e.errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void aGoodPathIsValidUpToTheRoot() {
        assertThat(validate(leaf, root))
                .containsExactly(leaf.certificate(), intermediate.certificate(), root.certificate());
    }

    @Test
    void aGoodPathIsValidUpToTheIntermediate() {
        assertThat(validate(leaf, intermediate)).containsExactly(leaf.certificate(), intermediate.certificate());
    }

    @Test
    void anRsaPathIsValid() {
        Credential rsaRoot = TestPki.rootCa("RSA Root").rsa().issue();
        Credential device = TestPki.device("rsa-device", rsaRoot).rsa().issue();

        assertThat(validate(device, rsaRoot)).hasSize(2);
    }

    @Test
    void certificatesAboveTheAnchorAreNotChecked() {
        Credential expiredRoot = TestPki.rootCa("Expired Root").expired().issue();
        Credential ca = TestPki.intermediateCa("Intermediate", expiredRoot).issue();
        Credential device = TestPki.device("leaf", ca).issue();

        assertThat(validate(device, ca)).hasSize(2);
    }

    @Test
    void anExpiredLeafIsRejectedWithItsExpiryDate() {
        Credential expired = TestPki.device("leaf", intermediate).expired().issue();
        Instant notAfter = expired.certificate().getNotAfter().toInstant();

        assertRejected(() -> validate(expired, root), Reason.EXPIRED, "CN=leaf",
                "The certificate 'CN=leaf' expired on " + notAfter + ".");
    }

    @Test
    void anExpiredIntermediateIsRejected() {
        Credential expiredCa = TestPki.intermediateCa("Intermediate", root).expired().issue();
        Credential device = TestPki.device("leaf", expiredCa).issue();

        assertRejected(() -> validate(device, root), Reason.EXPIRED, "CN=Intermediate",
                "The certificate 'CN=Intermediate' expired on");
    }

    @Test
    void anExpiredAnchorIsRejected() {
        Credential expiredRoot = TestPki.rootCa("Root").expired().issue();
        Credential device = TestPki.device("leaf", expiredRoot).issue();

        assertRejected(() -> validate(device, expiredRoot), Reason.EXPIRED, "CN=Root", "expired on");
    }

    @Test
    void aNotYetValidLeafIsRejected() {
        Credential future = TestPki.device("leaf", intermediate).notYetValid().issue();
        Instant notBefore = future.certificate().getNotBefore().toInstant();

        assertRejected(() -> validate(future, root), Reason.NOT_YET_VALID, "CN=leaf",
                "The certificate 'CN=leaf' is not valid before " + notBefore + ".");
    }

    @Test
    void validityBoundsAreInclusive() {
        Instant from = Instant.parse("2030-01-01T00:00:00Z");
        Instant until = Instant.parse("2031-01-01T00:00:00Z");
        Credential device = TestPki.device("leaf").validity(from, until).issue();
        List<X509Certificate> chain = List.of(device.certificate());

        assertThat(CertificatePathValidator.validate(chain, device.certificate(), from)).hasSize(1);
        assertThat(CertificatePathValidator.validate(chain, device.certificate(), until)).hasSize(1);
        assertRejected(() -> CertificatePathValidator.validate(chain, device.certificate(), until.plusSeconds(1)),
                Reason.EXPIRED, "CN=leaf", "expired on 2031-01-01T00:00:00Z");
    }

    @Test
    void aLeafSignedByAnotherKeyUnderTheIssuersNameIsRejected() {
        Credential impostor = TestPki.intermediateCa("Intermediate", root).issue();
        Credential forged = TestPki.device("leaf", impostor).issue();
        List<X509Certificate> chain = List.of(forged.certificate(), intermediate.certificate(), root.certificate());

        assertRejected(() -> CertificatePathValidator.validate(chain, root.certificate(), Instant.now()),
                Reason.BAD_SIGNATURE, "CN=leaf",
                "The signature of 'CN=leaf' does not verify with the key of 'CN=Intermediate'.");
    }

    @Test
    void aForgedLeafNeverReachesTheRealIssuerWhenTheChainIsBuilt() {
        Credential impostor = TestPki.intermediateCa("Intermediate", root).issue();
        Credential forged = TestPki.device("leaf", impostor).issue();
        List<X509Certificate> chain = CertificateChain.build(forged.certificate(),
                List.of(intermediate.certificate(), root.certificate()));

        assertRejected(() -> CertificatePathValidator.validate(chain, intermediate.certificate(), Instant.now()),
                Reason.ANCHOR_NOT_IN_CHAIN, "CN=Intermediate",
                "The certificate 'CN=Intermediate' is not in the certificate chain of 'CN=leaf'");
    }

    @Test
    void aChainWhoseNamesDoNotLinkIsRejected() {
        Credential other = TestPki.rootCa("Other").issue();
        List<X509Certificate> chain = List.of(leaf.certificate(), other.certificate());

        assertRejected(() -> CertificatePathValidator.validate(chain, other.certificate(), Instant.now()),
                Reason.ISSUER_MISMATCH, "CN=leaf",
                "The certificate 'CN=leaf' was issued by 'CN=Intermediate', not by 'CN=Other'.");
    }

    @Test
    void aSelfIssuedAnchorWhoseSelfSignatureFailsIsRejected() {
        Credential brokenRoot = TestPki.intermediateCa("Root", root).issue();
        Credential device = TestPki.device("leaf", brokenRoot).issue();

        assertRejected(() -> validate(device, brokenRoot), Reason.BAD_SIGNATURE, "CN=Root",
                "The self-signature of 'CN=Root' does not verify with its own key.");
    }

    @Test
    void anIntermediateWithoutTheCaFlagIsRejected() {
        Credential notCa = TestPki.intermediateCa("Intermediate", root).endEntity().issue();
        Credential device = TestPki.device("leaf", notCa).issue();

        assertRejected(() -> validate(device, root), Reason.NOT_A_CA, "CN=Intermediate",
                "The certificate 'CN=Intermediate' is not a CA certificate");
    }

    @Test
    void anIntermediateWithoutBasicConstraintsIsRejected() {
        Credential noConstraints = TestPki.intermediateCa("Intermediate", root).noBasicConstraints().issue();
        Credential device = TestPki.device("leaf", noConstraints).issue();

        assertRejected(() -> validate(device, noConstraints), Reason.NOT_A_CA, "CN=Intermediate",
                "is not a CA certificate");
    }

    @Test
    void aRootWithPathLengthZeroCannotHaveAnIntermediate() {
        Credential strictRoot = TestPki.rootCa("Root").ca(0).issue();
        Credential ca = TestPki.intermediateCa("Intermediate", strictRoot).issue();
        Credential device = TestPki.device("leaf", ca).issue();

        assertRejected(() -> validate(device, strictRoot), Reason.PATH_LENGTH_EXCEEDED, "CN=Root",
                "The CA certificate 'CN=Root' allows 0 intermediate CA certificates below it (pathLenConstraint), "
                        + "but the chain has 1.");
    }

    @Test
    void pathLengthCountsOnlyTheCaCertificatesBelow() {
        Credential rootOfOne = TestPki.rootCa("Root").ca(1).issue();
        Credential first = TestPki.intermediateCa("First", rootOfOne).ca(0).issue();
        Credential device = TestPki.device("leaf", first).issue();
        Credential second = TestPki.intermediateCa("Second", first).issue();
        Credential deepDevice = TestPki.device("deep", second).issue();

        assertThat(validate(device, rootOfOne)).hasSize(3);
        assertRejected(() -> validate(deepDevice, rootOfOne), Reason.PATH_LENGTH_EXCEEDED, "CN=First",
                "allows 0 intermediate CA certificates below it");
    }

    @Test
    void anIssuerWhoseKeyUsageLacksKeyCertSignIsRejected() {
        Credential signingOnly = TestPki.intermediateCa("Intermediate", root)
                .keyUsage(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.CRL_SIGN).issue();
        Credential device = TestPki.device("leaf", signingOnly).issue();

        assertRejected(() -> validate(device, root), Reason.KEY_USAGE_NOT_ALLOWED, "CN=Intermediate",
                "The CA certificate 'CN=Intermediate' has a key usage without keyCertSign");
    }

    @Test
    void anIssuerWithoutKeyUsageIsAccepted() {
        Credential ca = TestPki.intermediateCa("Intermediate", root).noKeyUsage().issue();

        assertThat(validate(TestPki.device("leaf", ca).issue(), root)).hasSize(3);
    }

    @Test
    void aLeafWhoseKeyUsageLacksDigitalSignatureIsRejected() {
        Credential device = TestPki.device("leaf", intermediate).keyUsage(KeyUsage.KEY_ENCIPHERMENT).issue();

        assertRejected(() -> validate(device, root), Reason.KEY_USAGE_NOT_ALLOWED, "CN=leaf",
                "The device certificate 'CN=leaf' has a key usage without digitalSignature");
    }

    @Test
    void aLeafForServerAuthenticationOnlyIsRejected() {
        Credential device = TestPki.device("leaf", intermediate).extendedKeyUsage(ExtendedKeyUsage.SERVER_AUTH)
                .issue();

        assertRejected(() -> validate(device, root), Reason.EXTENDED_KEY_USAGE_NOT_ALLOWED, "CN=leaf",
                "The device certificate 'CN=leaf' is not for TLS client authentication: its extended key usage is "
                        + "serverAuth, without clientAuth.");
    }

    @Test
    void aLeafWithAnyPurposeOrNoUsageExtensionsIsAccepted() {
        Credential anyPurpose = TestPki.device("leaf", intermediate).extendedKeyUsage(ExtendedKeyUsage.ANY).issue();
        Credential bare = TestPki.device("leaf", intermediate).noKeyUsage().noExtendedKeyUsage().issue();
        Credential both = TestPki.device("leaf", intermediate)
                .extendedKeyUsage(ExtendedKeyUsage.SERVER_AUTH, ExtendedKeyUsage.CLIENT_AUTH).issue();

        assertThat(validate(anyPurpose, root)).hasSize(3);
        assertThat(validate(bare, root)).hasSize(3);
        assertThat(validate(both, root)).hasSize(3);
    }

    @Test
    void anUnknownCriticalExtensionInThePathIsRejected() {
        Credential ca = TestPki.intermediateCa("Intermediate", root).extension(UNKNOWN_EXTENSION, true, DER_NULL)
                .issue();
        Credential device = TestPki.device("leaf", ca).issue();

        assertRejected(() -> validate(device, root), Reason.UNSUPPORTED_EXTENSION, "CN=Intermediate",
                "The certificate 'CN=Intermediate' has the critical extension " + UNKNOWN_EXTENSION
                        + ", which the provisioning service does not process.");
    }

    @Test
    void anUnknownNonCriticalExtensionIsIgnored() {
        Credential device = TestPki.device("leaf", intermediate).extension(UNKNOWN_EXTENSION, false, DER_NULL)
                .issue();

        assertThat(validate(device, root)).hasSize(3);
    }

    @Test
    void aSelfSignedIndividualLeafIsValidOnItsOwn() {
        Credential device = TestPki.device("device-01").issue();

        assertThat(validate(device, device)).containsExactly(device.certificate());
    }

    @Test
    void aSelfSignedIndividualLeafMayBeACa() {
        Credential device = TestPki.device("device-01").ca().keyUsage(KeyUsage.DIGITAL_SIGNATURE,
                KeyUsage.KEY_CERT_SIGN).issue();

        assertThat(validate(device, device)).containsExactly(device.certificate());
    }

    @Test
    void anIndividualLeafIssuedByACaIsCheckedAlone() {
        Credential expiredCa = TestPki.intermediateCa("Intermediate", root).expired().issue();
        Credential device = TestPki.device("device-01", expiredCa).extension(UNKNOWN_EXTENSION, true, DER_NULL)
                .issue();

        assertThat(CertificatePathValidator.validate(List.of(device.certificate()), device.certificate(),
                Instant.now())).containsExactly(device.certificate());
        assertThat(validate(device, device)).containsExactly(device.certificate());
    }

    @Test
    void anExpiredIndividualLeafIsRejected() {
        Credential device = TestPki.device("device-01").expired().issue();

        assertRejected(() -> validate(device, device), Reason.EXPIRED, "CN=device-01", "expired on");
    }

    @Test
    void anIndividualLeafStillNeedsClientAuthentication() {
        Credential device = TestPki.device("device-01").extendedKeyUsage(ExtendedKeyUsage.CODE_SIGNING).issue();

        assertRejected(() -> validate(device, device), Reason.EXTENDED_KEY_USAGE_NOT_ALLOWED, "CN=device-01",
                "its extended key usage is codeSigning, without clientAuth");
    }

    @Test
    void subjectsAreNamedMostSpecificFirst() {
        Credential device = TestPki.device("device-01", intermediate).subject("O=Contoso, CN=device-01")
                .expired().issue();

        assertRejected(() -> validate(device, root), Reason.EXPIRED, "CN=device-01, O=Contoso",
                "The certificate 'CN=device-01, O=Contoso' expired on");
    }
}
