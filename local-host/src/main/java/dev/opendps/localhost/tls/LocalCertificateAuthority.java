package dev.opendps.localhost.tls;

import dev.opendps.localhost.storage.OwnerOnlyFiles;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Creates, on first start, a local CA and a server certificate it signs (ECDSA P-256, cheap to handshake with),
 * stores them as PEM under {@code <dataDir>/tls}, and reuses them afterwards. The server certificate alone is
 * re-issued when it is missing, about to expire, not signed by the CA, or lacks a configured host name;
 * clients that trust the CA keep working.
 */
public final class LocalCertificateAuthority {

    /** Names every server certificate carries. */
    public static final List<String> DEFAULT_HOST_NAMES = List.of("localhost", "127.0.0.1", "::1");

    private static final Logger LOG = Logger.getLogger(LocalCertificateAuthority.class.getName());
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration SERVER_VALIDITY = Duration.ofDays(825);
    private static final Duration RENEW_BEFORE = Duration.ofDays(1);
    private static final Duration CLOCK_SKEW = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;

    public LocalCertificateAuthority(Path dataDirectory) {
        this.directory = dataDirectory.resolve("tls");
    }

    public Path caCertificateFile() {
        return directory.resolve("ca.pem");
    }

    public Path caKeyFile() {
        return directory.resolve("ca-key.pem");
    }

    /** The server certificate followed by the CA certificate. */
    public Path serverCertificateFile() {
        return directory.resolve("server.pem");
    }

    public Path serverKeyFile() {
        return directory.resolve("server-key.pem");
    }

    /** Loads or creates the CA and a server certificate valid for the default names plus {@code extraHostNames}. */
    public synchronized LocalCertificates ensure(Collection<String> extraHostNames) throws IOException {
        Set<String> hostNames = new LinkedHashSet<>(DEFAULT_HOST_NAMES);
        extraHostNames.stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(hostNames::add);
        OwnerOnlyFiles.createPrivateDirectory(directory);
        try {
            CaMaterial ca = loadUsableCa();
            if (ca == null) {
                ca = createCa();
                Files.deleteIfExists(serverCertificateFile());
            }
            X509Certificate server = loadUsableServerCertificate(ca, hostNames);
            PrivateKey serverKey;
            if (server == null) {
                KeyPair pair = newEcKeyPair();
                server = issueServerCertificate(ca, pair.getPublic(), hostNames);
                PemFiles.writePrivateKey(serverKeyFile(), pair.getPrivate());
                PemFiles.writeCertificates(serverCertificateFile(), List.of(server, ca.certificate()));
                serverKey = pair.getPrivate();
                LOG.info(() -> "Issued a server certificate for " + hostNames + " at " + serverCertificateFile());
            } else {
                serverKey = PemFiles.readPrivateKey(serverKeyFile());
            }
            return new LocalCertificates(caCertificateFile(), ca.certificate(), serverCertificateFile(), server, serverKey);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("Could not create the local TLS certificates in " + directory, e);
        }
    }

    private record CaMaterial(X509Certificate certificate, PrivateKey key) {
    }

    private CaMaterial loadUsableCa() {
        if (!Files.exists(caCertificateFile()) || !Files.exists(caKeyFile())) {
            return null;
        }
        try {
            X509Certificate certificate = PemFiles.readCertificates(caCertificateFile()).get(0);
            PrivateKey key = PemFiles.readPrivateKey(caKeyFile());
            boolean usable = certificate.getBasicConstraints() >= 0
                    && validFor(certificate, Duration.ofDays(30))
                    && keyMatches(key, certificate.getPublicKey());
            if (usable) {
                return new CaMaterial(certificate, key);
            }
            LOG.warning("The stored local CA is unusable (expired or mismatched key); creating a new one");
        } catch (IOException | GeneralSecurityException e) {
            LOG.warning("The stored local CA is unreadable (" + e.getMessage() + "); creating a new one");
        }
        return null;
    }

    private CaMaterial createCa() throws IOException, GeneralSecurityException, OperatorCreationException {
        KeyPair pair = newEcKeyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=OpenDPS local development CA " + Long.toHexString(RANDOM.nextLong() >>> 16)
                + ",O=OpenDPS local host");
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serialNumber(),
                java.util.Date.from(now.minus(CLOCK_SKEW)), java.util.Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic());
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()));
        X509Certificate certificate = sign(builder, pair.getPrivate());
        PemFiles.writePrivateKey(caKeyFile(), pair.getPrivate());
        PemFiles.writeCertificates(caCertificateFile(), List.of(certificate));
        LOG.info(() -> "Created a local CA at " + caCertificateFile());
        return new CaMaterial(certificate, pair.getPrivate());
    }

    private X509Certificate loadUsableServerCertificate(CaMaterial ca, Set<String> hostNames) {
        if (!Files.exists(serverCertificateFile()) || !Files.exists(serverKeyFile())) {
            return null;
        }
        try {
            X509Certificate certificate = PemFiles.readCertificates(serverCertificateFile()).get(0);
            certificate.verify(ca.certificate().getPublicKey());
            if (!validFor(certificate, RENEW_BEFORE)) {
                LOG.info("The local server certificate expires soon; issuing a new one");
                return null;
            }
            Set<String> missing = missingNames(certificate, hostNames);
            if (!missing.isEmpty()) {
                LOG.info(() -> "The local server certificate lacks " + missing + "; issuing a new one");
                return null;
            }
            if (!keyMatches(PemFiles.readPrivateKey(serverKeyFile()), certificate.getPublicKey())) {
                return null;
            }
            return certificate;
        } catch (IOException | GeneralSecurityException e) {
            LOG.info(() -> "The stored server certificate is unusable (" + e.getMessage() + "); issuing a new one");
            return null;
        }
    }

    private X509Certificate issueServerCertificate(CaMaterial ca, PublicKey publicKey, Set<String> hostNames)
            throws GeneralSecurityException, OperatorCreationException, CertIOException {
        Instant now = Instant.now();
        Instant notAfter = now.plus(SERVER_VALIDITY);
        if (notAfter.isAfter(ca.certificate().getNotAfter().toInstant())) {
            notAfter = ca.certificate().getNotAfter().toInstant();
        }
        X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serialNumber(),
                java.util.Date.from(now.minus(CLOCK_SKEW)), java.util.Date.from(notAfter),
                new X500Name("CN=localhost,O=OpenDPS local host"), publicKey);
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey));
        builder.addExtension(Extension.authorityKeyIdentifier, false,
                extensions.createAuthorityKeyIdentifier(ca.certificate()));
        builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames(hostNames));
        return sign(builder, ca.key());
    }

    private static GeneralNames subjectAlternativeNames(Set<String> hostNames) {
        List<GeneralName> names = new ArrayList<>();
        for (String hostName : hostNames) {
            names.add(isIpLiteral(hostName)
                    ? new GeneralName(GeneralName.iPAddress, hostName)
                    : new GeneralName(GeneralName.dNSName, hostName));
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    /** Names (DNS case-insensitively, IP addresses by value) that the certificate's SAN extension lacks. */
    private static Set<String> missingNames(X509Certificate certificate, Set<String> hostNames)
            throws GeneralSecurityException {
        Set<String> present = new LinkedHashSet<>();
        Collection<List<?>> alternativeNames = certificate.getSubjectAlternativeNames();
        if (alternativeNames != null) {
            for (List<?> entry : alternativeNames) {
                int type = (Integer) entry.get(0);
                if (type == GeneralName.dNSName) {
                    present.add(entry.get(1).toString().toLowerCase(Locale.ROOT));
                } else if (type == GeneralName.iPAddress) {
                    present.add(canonicalIp(entry.get(1).toString()));
                }
            }
        }
        Set<String> missing = new LinkedHashSet<>();
        for (String hostName : hostNames) {
            String key = isIpLiteral(hostName) ? canonicalIp(hostName) : hostName.toLowerCase(Locale.ROOT);
            if (!present.contains(key)) {
                missing.add(hostName);
            }
        }
        return missing;
    }

    private static boolean isIpLiteral(String value) {
        boolean ipv4 = value.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = value.contains(":");
        return ipv4 || ipv6;
    }

    private static String canonicalIp(String literal) {
        try {
            // Only IP literals reach here, so no name lookup happens.
            return InetAddress.getByName(literal).getHostAddress();
        } catch (UnknownHostException e) {
            return literal;
        }
    }

    private static boolean validFor(X509Certificate certificate, Duration margin) {
        Instant now = Instant.now();
        return !certificate.getNotBefore().toInstant().isAfter(now.plus(CLOCK_SKEW))
                && certificate.getNotAfter().toInstant().isAfter(now.plus(margin));
    }

    private static boolean keyMatches(PrivateKey privateKey, PublicKey publicKey) throws GeneralSecurityException {
        String algorithm = "EC".equals(publicKey.getAlgorithm()) ? "SHA256withECDSA" : "SHA256with" + publicKey.getAlgorithm();
        byte[] probe = new byte[32];
        RANDOM.nextBytes(probe);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(privateKey);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(publicKey);
        verifier.update(probe);
        return verifier.verify(signature);
    }

    private static KeyPair newEcKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    }

    private static BigInteger serialNumber() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }
}
