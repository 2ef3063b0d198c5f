package dev.opendps.testing;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for tests: root and intermediate CAs, device certificates (CA-issued or self-signed)
 * and DPS proof-of-possession verification certificates, in memory only. Defaults are what a well-formed PKI has;
 * every builder option exists to break one rule on purpose.
 *
 * <pre>{@code
 * TestPki.Credential root = TestPki.rootCa("Contoso Root").issue();
 * TestPki.Credential intermediate = TestPki.intermediateCa("Contoso Intermediate", root).issue();
 * TestPki.Credential device = TestPki.device("device-01").signedBy(intermediate).issue();
 * TestPki.Credential expired = TestPki.device("device-02").signedBy(intermediate).expired().issue();
 * TestPki.Credential proof = root.verificationCertificate("3A2F...");
 * }</pre>
 *
 * The API uses only JDK types, so callers need no Bouncy Castle of their own.
 */
public final class TestPki {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PEM_CERTIFICATE = "CERTIFICATE";
    private static final String PEM_PRIVATE_KEY = "PRIVATE KEY";

    /** The key algorithm of a new credential. */
    public enum KeyType {
        /** ECDSA on NIST P-256: fast to generate, the default. */
        EC_P256,
        RSA_2048
    }

    /** Key usage bits (RFC 5280 §4.2.1.3). */
    public enum KeyUsage {
        DIGITAL_SIGNATURE(org.bouncycastle.asn1.x509.KeyUsage.digitalSignature),
        NON_REPUDIATION(org.bouncycastle.asn1.x509.KeyUsage.nonRepudiation),
        KEY_ENCIPHERMENT(org.bouncycastle.asn1.x509.KeyUsage.keyEncipherment),
        DATA_ENCIPHERMENT(org.bouncycastle.asn1.x509.KeyUsage.dataEncipherment),
        KEY_AGREEMENT(org.bouncycastle.asn1.x509.KeyUsage.keyAgreement),
        KEY_CERT_SIGN(org.bouncycastle.asn1.x509.KeyUsage.keyCertSign),
        CRL_SIGN(org.bouncycastle.asn1.x509.KeyUsage.cRLSign);

        private final int bit;

        KeyUsage(int bit) {
            this.bit = bit;
        }
    }

    /** Extended key usage purposes (RFC 5280 §4.2.1.12). */
    public enum ExtendedKeyUsage {
        CLIENT_AUTH(KeyPurposeId.id_kp_clientAuth),
        SERVER_AUTH(KeyPurposeId.id_kp_serverAuth),
        CODE_SIGNING(KeyPurposeId.id_kp_codeSigning),
        ANY(KeyPurposeId.anyExtendedKeyUsage);

        private final KeyPurposeId purpose;

        ExtendedKeyUsage(KeyPurposeId purpose) {
            this.purpose = purpose;
        }
    }

    private TestPki() {
    }

    /** A self-signed root CA: CA=true without path length limit, keyCertSign + cRLSign, valid for ten years. */
    public static CertificateBuilder rootCa(String commonName) {
        return new CertificateBuilder(commonName).ca().keyUsage(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)
                .validFor(Duration.ofDays(3650));
    }

    /** An intermediate CA issued by {@code issuer}, with the root's defaults. */
    public static CertificateBuilder intermediateCa(String commonName, Credential issuer) {
        return rootCa(commonName).signedBy(issuer);
    }

    /**
     * A device certificate, self-signed unless {@link CertificateBuilder#signedBy} is called: CA=false,
     * digitalSignature, extended key usage clientAuth, valid for a year.
     */
    public static CertificateBuilder device(String commonName) {
        return new CertificateBuilder(commonName).endEntity().keyUsage(KeyUsage.DIGITAL_SIGNATURE)
                .extendedKeyUsage(ExtendedKeyUsage.CLIENT_AUTH).validFor(Duration.ofDays(365));
    }

    /** A device certificate issued by {@code issuer}. */
    public static CertificateBuilder device(String commonName, Credential issuer) {
        return device(commonName).signedBy(issuer);
    }

    /** The certificate as one PEM block with 64-character lines. */
    public static String pem(X509Certificate certificate) {
        return pem(PEM_CERTIFICATE, encoded(certificate));
    }

    /** The certificates as consecutive PEM blocks, in the given order. */
    public static String pem(List<X509Certificate> certificates) {
        StringBuilder out = new StringBuilder();
        for (X509Certificate certificate : certificates) {
            out.append(pem(certificate));
        }
        return out.toString();
    }

    private static String pem(String type, byte[] der) {
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Options for one certificate; {@link #issue()} creates it. */
    public static final class CertificateBuilder {
        private final String commonName;
        private String subject;
        private Credential issuer;
        private KeyType keyType = KeyType.EC_P256;
        private KeyPair keyPair;
        private Instant notBefore;
        private Instant notAfter;
        private Duration lifetime;
        private Boolean ca;
        private Integer pathLength;
        private Set<KeyUsage> keyUsage;
        private List<ExtendedKeyUsage> extendedKeyUsage;
        private boolean keyIdentifiers = true;
        private final List<RawExtension> extensions = new ArrayList<>();

        private CertificateBuilder(String commonName) {
            this.commonName = Objects.requireNonNull(commonName, "commonName");
            this.subject = "CN=" + commonName;
        }

        /** Issued (named and signed) by this CA instead of self-signed. */
        public CertificateBuilder signedBy(Credential issuingCa) {
            this.issuer = Objects.requireNonNull(issuingCa, "issuingCa");
            return this;
        }

        /** Self-signed: the subject is also the issuer and the certificate's own key signs it. */
        public CertificateBuilder selfSigned() {
            this.issuer = null;
            return this;
        }

        /** A full subject in X.500 string form, e.g. {@code "CN=device-01, O=Contoso"}; default {@code "CN=<cn>"}. */
        public CertificateBuilder subject(String x500Name) {
            this.subject = Objects.requireNonNull(x500Name, "x500Name");
            return this;
        }

        public CertificateBuilder keyType(KeyType type) {
            this.keyType = Objects.requireNonNull(type, "type");
            return this;
        }

        /** An RSA 2048 key instead of EC P-256. */
        public CertificateBuilder rsa() {
            return keyType(KeyType.RSA_2048);
        }

        /** Reuses a key pair, e.g. to re-issue a CA with the same key. */
        public CertificateBuilder keyPair(KeyPair keys) {
            this.keyPair = Objects.requireNonNull(keys, "keys");
            return this;
        }

        /** Valid from {@code notBefore} to {@code notAfter}, both inclusive (second precision). */
        public CertificateBuilder validity(Instant from, Instant until) {
            this.notBefore = Objects.requireNonNull(from, "from");
            this.notAfter = Objects.requireNonNull(until, "until");
            return this;
        }

        /** Valid from a day ago for this long. */
        public CertificateBuilder validFor(Duration duration) {
            this.lifetime = Objects.requireNonNull(duration, "duration");
            this.notBefore = null;
            this.notAfter = null;
            return this;
        }

        /** Valid from thirty days ago until yesterday. */
        public CertificateBuilder expired() {
            Instant now = Instant.now();
            return validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
        }

        /** Valid from tomorrow for thirty days. */
        public CertificateBuilder notYetValid() {
            Instant now = Instant.now();
            return validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(31)));
        }

        /** basicConstraints CA=true without a path length limit. */
        public CertificateBuilder ca() {
            this.ca = true;
            this.pathLength = null;
            return this;
        }

        /** basicConstraints CA=true with this pathLenConstraint. */
        public CertificateBuilder ca(int maxIntermediates) {
            this.ca = true;
            this.pathLength = maxIntermediates;
            return this;
        }

        /** basicConstraints CA=false. */
        public CertificateBuilder endEntity() {
            this.ca = false;
            this.pathLength = null;
            return this;
        }

        /** No basicConstraints extension at all. */
        public CertificateBuilder noBasicConstraints() {
            this.ca = null;
            this.pathLength = null;
            return this;
        }

        /** A critical keyUsage extension with exactly these bits. */
        public CertificateBuilder keyUsage(KeyUsage... usages) {
            this.keyUsage = usages.length == 0 ? EnumSet.noneOf(KeyUsage.class) : EnumSet.of(usages[0], usages);
            return this;
        }

        public CertificateBuilder noKeyUsage() {
            this.keyUsage = null;
            return this;
        }

        /** A non-critical extendedKeyUsage extension with exactly these purposes. */
        public CertificateBuilder extendedKeyUsage(ExtendedKeyUsage... purposes) {
            this.extendedKeyUsage = List.of(purposes);
            return this;
        }

        public CertificateBuilder noExtendedKeyUsage() {
            this.extendedKeyUsage = null;
            return this;
        }

        /** Without subject and authority key identifiers (added by default). */
        public CertificateBuilder noKeyIdentifiers() {
            this.keyIdentifiers = false;
            return this;
        }

        /** Any further extension: its OID, criticality and DER-encoded value. */
        public CertificateBuilder extension(String oid, boolean critical, byte[] derValue) {
            extensions.add(new RawExtension(oid, critical, derValue.clone()));
            return this;
        }

        /** Creates the key pair (unless one was given) and the certificate. */
        public Credential issue() {
            try {
                KeyPair keys = keyPair != null ? keyPair : generateKeyPair(keyType);
                X500Name subjectName = new X500Name(subject);
                X500Name issuerName = issuer == null ? subjectName
                        : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
                PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.privateKey();
                Instant from = notBefore;
                Instant until = notAfter;
                if (from == null) {
                    from = Instant.now().minus(Duration.ofDays(1));
                    until = from.plus(lifetime);
                }
                X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                        new BigInteger(63, RANDOM).add(BigInteger.ONE),
                        Date.from(from.truncatedTo(ChronoUnit.SECONDS)),
                        Date.from(until.truncatedTo(ChronoUnit.SECONDS)), subjectName, keys.getPublic());
                addExtensions(builder, keys);
                X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                        builder.build(new JcaContentSignerBuilder(signatureAlgorithm(signingKey)).build(signingKey)));
                return new Credential(commonName, certificate, keys, issuer);
            } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
                throw new IllegalStateException("Cannot issue the test certificate '" + subject + "'", e);
            }
        }

        private void addExtensions(X509v3CertificateBuilder builder, KeyPair keys)
                throws CertIOException, GeneralSecurityException {
            if (ca != null) {
                BasicConstraints constraints = !ca ? new BasicConstraints(false)
                        : pathLength == null ? new BasicConstraints(true) : new BasicConstraints(pathLength);
                builder.addExtension(Extension.basicConstraints, true, constraints);
            }
            if (keyUsage != null) {
                int bits = 0;
                for (KeyUsage usage : keyUsage) {
                    bits |= usage.bit;
                }
                builder.addExtension(Extension.keyUsage, true, new org.bouncycastle.asn1.x509.KeyUsage(bits));
            }
            if (extendedKeyUsage != null) {
                KeyPurposeId[] purposes = extendedKeyUsage.stream().map(p -> p.purpose).toArray(KeyPurposeId[]::new);
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new org.bouncycastle.asn1.x509.ExtendedKeyUsage(purposes));
            }
            if (keyIdentifiers) {
                JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
                builder.addExtension(Extension.subjectKeyIdentifier, false,
                        utils.createSubjectKeyIdentifier(keys.getPublic()));
                if (issuer != null) {
                    builder.addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(issuer.keyPair().getPublic()));
                }
            }
            for (RawExtension extension : extensions) {
                builder.addExtension(new ASN1ObjectIdentifier(extension.oid), extension.critical, extension.value);
            }
        }
    }

    /** A certificate with its key pair, and the credential that issued it (null when self-signed). */
    public static final class Credential {
        private final String commonName;
        private final X509Certificate certificate;
        private final KeyPair keyPair;
        private final Credential issuer;

        private Credential(String commonName, X509Certificate certificate, KeyPair keyPair, Credential issuer) {
            this.commonName = commonName;
            this.certificate = certificate;
            this.keyPair = keyPair;
            this.issuer = issuer;
        }

        public String commonName() {
            return commonName;
        }

        public X509Certificate certificate() {
            return certificate;
        }

        public KeyPair keyPair() {
            return keyPair;
        }

        public PrivateKey privateKey() {
            return keyPair.getPrivate();
        }

        /** The issuing CA's credential, or null for a self-signed certificate. */
        public Credential issuer() {
            return issuer;
        }

        /** The certificate as PEM ({@code -----BEGIN CERTIFICATE-----}). */
        public String certificatePem() {
            return pem(certificate);
        }

        /** The private key as unencrypted PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}). */
        public String privateKeyPem() {
            return pem(PEM_PRIVATE_KEY, keyPair.getPrivate().getEncoded());
        }

        /** Base64 of the DER encoding, on one line: what X-ARR-ClientCert carries. */
        public String base64Der() {
            return Base64.getEncoder().encodeToString(encoded(certificate));
        }

        /** This certificate followed by its issuers up to the self-signed one. */
        public List<X509Certificate> chain() {
            List<X509Certificate> chain = new ArrayList<>();
            for (Credential current = this; current != null; current = current.issuer) {
                chain.add(current.certificate);
            }
            return Collections.unmodifiableList(chain);
        }

        /**
         * A proof-of-possession certificate for DPS CA verification: subject {@code CN=<verificationCode>}, issued
         * and signed by this CA's key, with a fresh key of its own.
         */
        public Credential verificationCertificate(String verificationCode) {
            return device(verificationCode, this).issue();
        }

        @Override
        public String toString() {
            return "TestPki.Credential[" + certificate.getSubjectX500Principal().getName() + "]";
        }
    }

    private record RawExtension(String oid, boolean critical, byte[] value) {
    }

    private static KeyPair generateKeyPair(KeyType type) throws GeneralSecurityException {
        if (type == KeyType.RSA_2048) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            return generator.generateKeyPair();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static String signatureAlgorithm(PrivateKey key) {
        return "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
    }
}
