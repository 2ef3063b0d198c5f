package dev.opendps.testing;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * CA certificates made at run time for the proof-of-possession tests (dps-protocol.md §2.2): a CA with its key,
 * the certificates it issues (e.g. one whose CN is a verification code), and look-alikes that must be refused.
 * EC P-256 keys, so making them is fast.
 */
public final class CaTestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private CaTestCertificates() {
    }

    /** A self-signed root CA (CA:TRUE, keyCertSign) named {@code CN=<commonName>}, valid for a year. */
    public static Ca rootCa(String commonName) {
        return ca(commonName, KeyUsage.keyCertSign | KeyUsage.cRLSign);
    }

    /** A self-signed certificate that says CA:TRUE but whose key usage does not allow signing certificates. */
    public static Ca caWithoutCertificateSigning(String commonName) {
        return ca(commonName, KeyUsage.digitalSignature);
    }

    private static Ca ca(String commonName, int keyUsage) {
        KeyPair keys = newKeys();
        X500Name name = name(commonName);
        Instant now = Instant.now();
        X509Certificate certificate = build(name, name, keys.getPublic(), keys.getPrivate(),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)), true, keyUsage);
        return new Ca(certificate, keys);
    }

    /** A CA certificate and its key pair. */
    public record Ca(X509Certificate certificate, KeyPair keys) {

        public String pem() {
            return CaTestCertificates.pem(certificate);
        }

        public String base64Der() {
            return CaTestCertificates.base64Der(certificate);
        }

        /** A leaf certificate {@code CN=<commonName>} issued and signed by this CA, valid from yesterday for a year. */
        public String issue(String commonName) {
            Instant now = Instant.now();
            return issue(commonName, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)));
        }

        /** A leaf certificate issued and signed by this CA with the given validity, as PEM. */
        public String issue(String commonName, Instant notBefore, Instant notAfter) {
            KeyPair leafKeys = newKeys();
            X509Certificate leaf = build(name(commonName),
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), leafKeys.getPublic(),
                    keys.getPrivate(), notBefore, notAfter, false, KeyUsage.digitalSignature);
            return CaTestCertificates.pem(leaf);
        }

        /** A CA with this CA's subject name but another key: what it issues names the right issuer, wrongly signed. */
        public Ca impostor() {
            KeyPair otherKeys = newKeys();
            X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
            Instant now = Instant.now();
            return new Ca(build(name, name, otherKeys.getPublic(), otherKeys.getPrivate(),
                    now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)), true,
                    KeyUsage.keyCertSign | KeyUsage.cRLSign), otherKeys);
        }
    }

    public static String pem(X509Certificate certificate) {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(encoded(certificate));
        return "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n";
    }

    public static String base64Der(X509Certificate certificate) {
        return Base64.getEncoder().encodeToString(encoded(certificate));
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X500Name name(String commonName) {
        return new X500Name("C=US, O=OpenDPS Tests, CN=" + commonName);
    }

    private static KeyPair newKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate build(X500Name subject, X500Name issuer, PublicKey subjectKey, PrivateKey signer,
                                         Instant notBefore, Instant notAfter, boolean ca, int keyUsage) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
                    subjectKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (CertIOException | OperatorCreationException | CertificateException e) {
            throw new IllegalStateException(e);
        }
    }
}
