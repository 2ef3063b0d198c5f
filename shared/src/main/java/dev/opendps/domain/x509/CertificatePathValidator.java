package dev.opendps.domain.x509;

import dev.opendps.domain.x509.CertificatePathException.Reason;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Validates a device's certificate path from the leaf up to the certificate that matched an enrollment
 * (dps-protocol.md §2.2, "verify signatures and validity dates along the chain"), by the rules of RFC 5280 §6 that
 * matter without revocation or policies.
 *
 * <p>The anchor is the certificate in the chain that matched an enrollment group's signing certificate or a verified
 * CA, a root or an intermediate. Every certificate from the leaf to the anchor, the anchor included, must:
 * <ul>
 *   <li>be valid at {@code now} (notBefore ≤ now ≤ notAfter);</li>
 *   <li>be signed by the next one: its issuer name is the next subject and the next key verifies its signature;
 *       the anchor's own signature is checked only when it is self-issued, with its own key;</li>
 *   <li>above the leaf: be a CA (basicConstraints CA=true), have no more CA certificates between itself and the leaf
 *       than its pathLenConstraint, and, if it has a key usage, include keyCertSign;</li>
 *   <li>the leaf: if it has a key usage, include digitalSignature; if it has an extended key usage, include clientAuth
 *       or anyExtendedKeyUsage (it authenticates a TLS client);</li>
 *   <li>have no critical extension outside basicConstraints, keyUsage, extendedKeyUsage, subjectAltName and the key
 *       identifiers: RFC 5280 requires rejecting what is not processed, and ignoring, say, nameConstraints would let
 *       a constrained CA issue beyond its constraints.</li>
 * </ul>
 * When the anchor is the leaf itself (an individual enrollment, usually self-signed), only its validity and the leaf
 * usage rules apply: the TLS handshake proved the device holds its key, and a CA flag on it does no harm.
 *
 * <p>Simplifications, deliberate: self-issued intermediates count towards pathLenConstraint, and a version 1 issuer
 * (no extensions, hence no CA flag) is rejected even as the anchor.
 */
public final class CertificatePathValidator {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_CERT_SIGN = 5;

    /** The critical extensions this validator processes, or that carry no constraint it would have to apply. */
    private static final Set<String> PROCESSED_CRITICAL_EXTENSIONS = Set.of(
            "2.5.29.19",   // basicConstraints
            "2.5.29.15",   // keyUsage
            "2.5.29.37",   // extendedKeyUsage
            "2.5.29.17",   // subjectAltName: critical when the subject is empty; DPS identifies devices by CN
            "2.5.29.14",   // subjectKeyIdentifier
            "2.5.29.35");  // authorityKeyIdentifier

    private static final Map<String, String> EXTENSION_NAMES = Map.of(
            "2.5.29.30", "nameConstraints",
            "2.5.29.32", "certificatePolicies",
            "2.5.29.33", "policyMappings",
            "2.5.29.36", "policyConstraints",
            "2.5.29.54", "inhibitAnyPolicy",
            "2.5.29.18", "issuerAltName",
            "2.5.29.31", "cRLDistributionPoints");

    private static final Map<String, String> PURPOSE_NAMES = Map.of(
            "1.3.6.1.5.5.7.3.1", "serverAuth",
            CLIENT_AUTH, "clientAuth",
            "1.3.6.1.5.5.7.3.3", "codeSigning",
            "1.3.6.1.5.5.7.3.4", "emailProtection",
            "1.3.6.1.5.5.7.3.8", "timeStamping",
            "1.3.6.1.5.5.7.3.9", "OCSPSigning",
            ANY_EXTENDED_KEY_USAGE, "anyExtendedKeyUsage");

    private CertificatePathValidator() {
    }

    /**
     * Validates the path from {@code chain.get(0)} (the leaf) up to the anchor.
     *
     * @param chain  leaf first, each certificate followed by its issuer, as {@link CertificateChain#build} returns it;
     *               certificates above the anchor are ignored
     * @param anchor the certificate of the chain that matched an enrollment or a verified CA; the leaf for an
     *               individual enrollment
     * @param now    the instant at which every certificate of the path must be valid
     * @return the validated path, leaf first, anchor last
     * @throws CertificatePathException naming the first certificate, from the leaf upward, that breaks a rule
     */
    public static List<X509Certificate> validate(List<X509Certificate> chain, X509Certificate anchor, Instant now) {
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(anchor, "anchor");
        Objects.requireNonNull(now, "now");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("The chain is empty; it must start with the leaf.");
        }
        int anchorIndex = chain.indexOf(anchor);
        if (anchorIndex < 0) {
            throw new CertificatePathException(Reason.ANCHOR_NOT_IN_CHAIN, name(anchor),
                    "The certificate " + quoted(anchor) + " is not in the certificate chain of " + quoted(chain.get(0))
                            + "; send the chain from the device certificate up to it.");
        }
        List<X509Certificate> path = List.copyOf(chain.subList(0, anchorIndex + 1));
        for (int i = 0; i < path.size(); i++) {
            X509Certificate certificate = path.get(i);
            checkValidity(certificate, now);
            if (i == 0) {
                checkLeafUsage(certificate);
            } else {
                checkIssuer(certificate, i - 1, path.get(i - 1));
            }
            if (anchorIndex == 0) {
                break;
            }
            checkCriticalExtensions(certificate);
            if (i < anchorIndex) {
                checkSignedBy(certificate, path.get(i + 1));
            } else if (certificate.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())
                    && !CertificateChain.verifies(certificate, certificate.getPublicKey())) {
                throw new CertificatePathException(Reason.BAD_SIGNATURE, name(certificate),
                        "The self-signature of " + quoted(certificate) + " does not verify with its own key.");
            }
        }
        return path;
    }

    private static void checkValidity(X509Certificate certificate, Instant now) {
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (now.isBefore(notBefore)) {
            throw new CertificatePathException(Reason.NOT_YET_VALID, name(certificate),
                    "The certificate " + quoted(certificate) + " is not valid before " + notBefore + ".");
        }
        if (now.isAfter(notAfter)) {
            throw new CertificatePathException(Reason.EXPIRED, name(certificate),
                    "The certificate " + quoted(certificate) + " expired on " + notAfter + ".");
        }
    }

    private static void checkLeafUsage(X509Certificate leaf) {
        boolean[] keyUsage = leaf.getKeyUsage();
        if (keyUsage != null && !has(keyUsage, DIGITAL_SIGNATURE)) {
            throw new CertificatePathException(Reason.KEY_USAGE_NOT_ALLOWED, name(leaf),
                    "The device certificate " + quoted(leaf) + " has a key usage without digitalSignature, so it "
                            + "cannot authenticate a TLS client.");
        }
        List<String> purposes;
        try {
            purposes = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new CertificatePathException(Reason.UNSUPPORTED_EXTENSION, name(leaf),
                    "The extended key usage of " + quoted(leaf) + " cannot be read.");
        }
        if (purposes != null && !purposes.contains(CLIENT_AUTH) && !purposes.contains(ANY_EXTENDED_KEY_USAGE)) {
            List<String> names = new ArrayList<>();
            for (String purpose : purposes) {
                names.add(PURPOSE_NAMES.getOrDefault(purpose, purpose));
            }
            throw new CertificatePathException(Reason.EXTENDED_KEY_USAGE_NOT_ALLOWED, name(leaf),
                    "The device certificate " + quoted(leaf) + " is not for TLS client authentication: its extended "
                            + "key usage is " + String.join(", ", names) + ", without clientAuth.");
        }
    }

    /** Rules for a certificate that issued {@code issued}, with {@code caBelow} CA certificates below it. */
    private static void checkIssuer(X509Certificate issuer, int caBelow, X509Certificate issued) {
        int pathLength = issuer.getBasicConstraints();
        if (pathLength < 0) {
            throw new CertificatePathException(Reason.NOT_A_CA, name(issuer),
                    "The certificate " + quoted(issuer) + " is not a CA certificate (no basic constraints with "
                            + "CA=true), so it cannot issue " + quoted(issued) + ".");
        }
        if (caBelow > pathLength) {
            throw new CertificatePathException(Reason.PATH_LENGTH_EXCEEDED, name(issuer),
                    "The CA certificate " + quoted(issuer) + " allows " + pathLength + " intermediate CA "
                            + (pathLength == 1 ? "certificate" : "certificates") + " below it (pathLenConstraint), "
                            + "but the chain has " + caBelow + ".");
        }
        boolean[] keyUsage = issuer.getKeyUsage();
        if (keyUsage != null && !has(keyUsage, KEY_CERT_SIGN)) {
            throw new CertificatePathException(Reason.KEY_USAGE_NOT_ALLOWED, name(issuer),
                    "The CA certificate " + quoted(issuer) + " has a key usage without keyCertSign, so it cannot "
                            + "issue " + quoted(issued) + ".");
        }
    }

    private static void checkCriticalExtensions(X509Certificate certificate) {
        Set<String> critical = certificate.getCriticalExtensionOIDs();
        if (critical == null) {
            return;
        }
        for (String oid : critical) {
            if (!PROCESSED_CRITICAL_EXTENSIONS.contains(oid)) {
                String label = EXTENSION_NAMES.containsKey(oid) ? EXTENSION_NAMES.get(oid) + " (" + oid + ")" : oid;
                throw new CertificatePathException(Reason.UNSUPPORTED_EXTENSION, name(certificate),
                        "The certificate " + quoted(certificate) + " has the critical extension " + label
                                + ", which the provisioning service does not process.");
            }
        }
    }

    private static void checkSignedBy(X509Certificate certificate, X509Certificate issuer) {
        if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            throw new CertificatePathException(Reason.ISSUER_MISMATCH, name(certificate),
                    "The certificate " + quoted(certificate) + " was issued by '"
                            + CertificateParser.distinguishedName(certificate.getIssuerX500Principal())
                            + "', not by " + quoted(issuer) + ".");
        }
        if (!CertificateChain.verifies(certificate, issuer.getPublicKey())) {
            throw new CertificatePathException(Reason.BAD_SIGNATURE, name(certificate),
                    "The signature of " + quoted(certificate) + " does not verify with the key of " + quoted(issuer)
                            + ".");
        }
    }

    private static boolean has(boolean[] keyUsage, int bit) {
        return keyUsage.length > bit && keyUsage[bit];
    }

    private static String name(X509Certificate certificate) {
        return CertificateParser.distinguishedName(certificate.getSubjectX500Principal());
    }

    private static String quoted(X509Certificate certificate) {
        return "'" + name(certificate) + "'";
    }
}
