package dev.opendps.domain.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.X509CertificateInfo;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.X509v1CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v1CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CertificateParserTest {
    private static final Instant NOT_BEFORE = Instant.parse("2024-01-01T00:00:00Z");
    private static final Instant NOT_AFTER = Instant.parse("2034-01-01T00:00:00Z");
    /** Its first byte has the high bit set, so the DER INTEGER carries a leading zero byte. */
    private static final BigInteger SERIAL = new BigInteger("F1E2D3C4B5A6978800112233", 16);

    private static KeyPair keyPair;
    private static X509Certificate leaf;

    @BeforeAll
    static void createCertificate() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keyPair = generator.generateKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.C, "US").addRDN(BCStyle.O, "Contoso").addRDN(BCStyle.OU, "Devices")
                .addRDN(BCStyle.CN, "device-01").build();
        X500Name issuer = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.C, "US").addRDN(BCStyle.ST, "WA").addRDN(BCStyle.O, "Contoso")
                .addRDN(BCStyle.CN, "Contoso Intermediate CA").addRDN(BCStyle.EmailAddress, "ca@contoso.example")
                .build();
        leaf = sign(new JcaX509v3CertificateBuilder(issuer, SERIAL, Date.from(NOT_BEFORE), Date.from(NOT_AFTER),
                subject, keyPair.getPublic()).build(signer()));
    }

    private static ContentSigner signer() throws Exception {
        return new JcaContentSignerBuilder("SHA256withRSA").build(keyPair.getPrivate());
    }

    private static X509Certificate sign(org.bouncycastle.cert.X509CertificateHolder holder) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static String pemOf(Object object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    private static String base64Der() throws Exception {
        return Base64.getEncoder().encodeToString(leaf.getEncoded());
    }

    private static void assertInvalid(String input, String messagePart) {
        assertThatThrownBy(() -> CertificateParser.parse(input))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_CERTIFICATE);
                    assertThat(e.getMessage()).containsIgnoringCase(messagePart);
                });
    }

    @Test
    void pemAndBase64DerGiveTheSameInfo() throws Exception {
        ParsedCertificate fromPem = CertificateParser.parse(pemOf(leaf));
        ParsedCertificate fromDer = CertificateParser.parse(base64Der());

        assertThat(fromPem.info()).isEqualTo(fromDer.info());
        assertThat(fromPem.pem()).isEqualTo(fromDer.pem());
        assertThat(fromPem.certificate()).isEqualTo(leaf);
    }

    @Test
    void thumbprintsAreUpperCaseHexDigestsOfTheDer() throws Exception {
        X509CertificateInfo info = CertificateParser.parse(pemOf(leaf)).info();
        HexFormat hex = HexFormat.of().withUpperCase();

        assertThat(info.sha1Thumbprint())
                .isEqualTo(hex.formatHex(MessageDigest.getInstance("SHA-1").digest(leaf.getEncoded())))
                .hasSize(40);
        assertThat(info.sha256Thumbprint())
                .isEqualTo(hex.formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded())))
                .hasSize(64);
    }

    @Test
    void namesAreDotNetStyleWithMostSpecificRdnFirst() throws Exception {
        X509CertificateInfo info = CertificateParser.parse(pemOf(leaf)).info();

        assertThat(info.subjectName()).isEqualTo("CN=device-01, OU=Devices, O=Contoso, C=US");
        assertThat(info.issuerName())
                .isEqualTo("E=ca@contoso.example, CN=Contoso Intermediate CA, O=Contoso, S=WA, C=US");
    }

    @Test
    void serialNumberIsUpperCaseHexOfTheDerIntegerIncludingLeadingZero() throws Exception {
        assertThat(CertificateParser.parse(pemOf(leaf)).info().serialNumber()).isEqualTo("00F1E2D3C4B5A6978800112233");
    }

    @Test
    void validityAndVersionAreReported() throws Exception {
        X509CertificateInfo info = CertificateParser.parse(pemOf(leaf)).info();

        assertThat(info.notBeforeUtc()).isEqualTo(NOT_BEFORE);
        assertThat(info.notAfterUtc()).isEqualTo(NOT_AFTER);
        assertThat(info.version()).isEqualTo(3);
    }

    @Test
    void version1CertificateReportsVersion1() throws Exception {
        X500Name name = new X500Name("CN=legacy");
        X509v1CertificateBuilder builder = new JcaX509v1CertificateBuilder(name, BigInteger.ONE,
                Date.from(NOT_BEFORE), Date.from(NOT_AFTER), name, keyPair.getPublic());

        ParsedCertificate parsed = CertificateParser.parse(pemOf(sign(builder.build(signer()))));

        assertThat(parsed.info().version()).isEqualTo(1);
        assertThat(parsed.info().serialNumber()).isEqualTo("01");
    }

    @Test
    void commonNameIsTheSubjectCn() throws Exception {
        assertThat(CertificateParser.parse(base64Der()).commonName()).isEqualTo("device-01");
    }

    @Test
    void commonNameIsNullWithoutCn() throws Exception {
        X500Name name = new X500Name("O=No Common Name");
        X509Certificate certificate = sign(new JcaX509v3CertificateBuilder(name, BigInteger.TEN,
                Date.from(NOT_BEFORE), Date.from(NOT_AFTER), name, keyPair.getPublic()).build(signer()));

        assertThat(CertificateParser.parse(pemOf(certificate)).commonName()).isNull();
    }

    @Test
    void normalizedPemHas64CharacterLinesAndLfEndings() throws Exception {
        String pem = CertificateParser.parse(base64Der()).pem();

        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("\n-----END CERTIFICATE-----\n")
                .doesNotContain("\r");
        String[] lines = pem.split("\n");
        for (int i = 1; i < lines.length - 2; i++) {
            assertThat(lines[i]).hasSize(64);
        }
        assertThat(lines[lines.length - 2].length()).isBetween(1, 64);
    }

    @Test
    void pemWithCrLfMissingFinalNewlineAndSurroundingWhitespaceIsAccepted() throws Exception {
        String pem = "\n  \t" + pemOf(leaf).strip().replace("\n", "\r\n") + "   ";

        assertThat(CertificateParser.parse(pem).certificate()).isEqualTo(leaf);
    }

    @Test
    void base64DerWithLineBreaksIsAccepted() throws Exception {
        String wrapped = Base64.getMimeEncoder().encodeToString(leaf.getEncoded());

        assertThat(CertificateParser.parse(wrapped).certificate()).isEqualTo(leaf);
    }

    @Test
    void privateKeyIsRejected() throws Exception {
        assertInvalid(pemOf(keyPair.getPrivate()), "private keys must never be sent");
    }

    @Test
    void certificateFollowedByPrivateKeyIsRejected() throws Exception {
        assertInvalid(pemOf(leaf) + pemOf(keyPair.getPrivate()), "private keys must never be sent");
    }

    @Test
    void twoCertificatesAreRejected() throws Exception {
        assertInvalid(pemOf(leaf) + pemOf(leaf), "only one certificate");
    }

    @Test
    void concatenatedDerCertificatesAreRejected() throws Exception {
        byte[] one = leaf.getEncoded();
        byte[] two = new byte[one.length * 2];
        System.arraycopy(one, 0, two, 0, one.length);
        System.arraycopy(one, 0, two, one.length, one.length);

        assertInvalid(Base64.getEncoder().encodeToString(two), "exactly one certificate");
    }

    @Test
    void publicKeyPemIsRejected() throws Exception {
        assertInvalid(pemOf(keyPair.getPublic()), "not a CERTIFICATE");
    }

    @Test
    void garbageIsRejected() {
        assertInvalid("hello, I am not a certificate", "neither PEM nor base64");
    }

    @Test
    void base64OfNonCertificateIsRejected() {
        assertInvalid(Base64.getEncoder().encodeToString("just some bytes".getBytes()), "not an X.509 certificate");
    }

    @Test
    void corruptedPemBodyIsRejected() throws Exception {
        String pem = pemOf(leaf);
        int middle = pem.indexOf('\n') + 40;
        String corrupted = pem.substring(0, middle) + (pem.charAt(middle) == 'A' ? 'B' : 'A')
                + pem.substring(middle + 1);

        assertThatThrownBy(() -> CertificateParser.parse(corrupted))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_CERTIFICATE));
    }

    @Test
    void pemWithoutEndLineIsRejected() throws Exception {
        String pem = pemOf(leaf);

        assertInvalid(pem.substring(0, pem.indexOf("-----END")), "END CERTIFICATE");
    }

    @Test
    void textAroundThePemBlockIsRejected() throws Exception {
        assertInvalid("subject=CN=device-01\n" + pemOf(leaf), "unexpected text");
        assertInvalid(pemOf(leaf) + "trailer", "unexpected text");
    }

    @Test
    void emptyInputIsRejected() {
        assertInvalid("", "empty");
        assertInvalid("  \n ", "empty");
        assertInvalid(null, "empty");
        assertInvalid("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", "empty");
    }

    @Test
    void clientCertificateHeaderWithBase64DerIsParsed() throws Exception {
        ParsedCertificate parsed = CertificateParser.parseClientCertificateHeader(base64Der());

        assertThat(parsed.certificate()).isEqualTo(leaf);
        assertThat(parsed.commonName()).isEqualTo("device-01");
    }

    @Test
    void clientCertificateHeaderToleratesWhitespaceAndPem() throws Exception {
        String wrapped = " " + Base64.getMimeEncoder().encodeToString(leaf.getEncoded()) + "\n";

        assertThat(CertificateParser.parseClientCertificateHeader(wrapped).certificate()).isEqualTo(leaf);
        assertThat(CertificateParser.parseClientCertificateHeader(pemOf(leaf)).certificate()).isEqualTo(leaf);
        assertThat(CertificateParser.parseClientCertificateHeader(pemOf(leaf).replace('\n', ' ')).certificate())
                .isEqualTo(leaf);
    }

    @Test
    void clientCertificateHeaderAcceptsPercentEncodedPem() throws Exception {
        String pem = pemOf(leaf);
        String percentEncoded = pem.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
                .replace(" ", "%20").replace("\n", "%0A");
        String formEncoded = pem.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
                .replace(" ", "+").replace("\n", "%0A");

        assertThat(CertificateParser.parseClientCertificateHeader(percentEncoded).certificate()).isEqualTo(leaf);
        assertThat(CertificateParser.parseClientCertificateHeader(formEncoded).certificate()).isEqualTo(leaf);
    }

    private static void assertInvalidHeader(String header, String messagePart) {
        assertThatThrownBy(() -> CertificateParser.parseClientCertificateHeader(header))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_CERTIFICATE);
                    assertThat(e.getMessage()).contains("X-ARR-ClientCert").containsIgnoringCase(messagePart);
                });
    }

    @Test
    void clientCertificateHeaderWithGarbageIsRejectedNamingTheHeader() {
        assertInvalidHeader("not a certificate!", "the certificate is neither PEM nor base64");
        assertInvalidHeader(Base64.getEncoder().encodeToString("just some bytes".getBytes()),
                "is invalid: the data is not an X.509 certificate.");
        assertInvalidHeader("-----BEGIN%20CERTIFICATE-----%0AMII%G", "malformed percent-encoding");
        assertInvalidHeader("-----BEGIN%20CERTIFICATE-----%0", "malformed percent-encoding");
    }

    @Test
    void clientCertificateHeaderThatIsEmptyIsRejected() {
        assertInvalidHeader(null, "holds no client certificate");
        assertInvalidHeader(" ", "holds no client certificate");
    }
}
