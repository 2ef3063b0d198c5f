package dev.opendps.service;

import dev.opendps.domain.CaCertificate;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.RecordVersion;
import dev.opendps.domain.x509.CertificateParser;
import dev.opendps.domain.x509.ParsedCertificate;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;

/**
 * What a registered CA certificate must be, how an upload is merged with the certificate it replaces, and what
 * proves possession of its private key (dps-protocol.md §2.2): a certificate whose subject CN is the pending
 * verification code, signed with the CA's key, valid now.
 */
final class CaCertificateRules {
    /** Index of {@code keyCertSign} in {@link X509Certificate#getKeyUsage()}. */
    private static final int KEY_CERT_SIGN = 5;

    private CaCertificateRules() {
    }

    /** Parses an upload; it must be one CA certificate (basic constraints CA:TRUE) without private material. */
    static ParsedCertificate caCertificate(String certificate) {
        if (certificate == null || certificate.isEmpty()) {
            throw invalid("'certificate' is required: the CA certificate as PEM or base64 DER.");
        }
        ParsedCertificate parsed = CertificateParser.parse(certificate);
        X509Certificate x509 = parsed.certificate();
        if (x509.getBasicConstraints() < 0) {
            throw invalid("The certificate is not a CA certificate: its basic constraints do not say CA:TRUE. "
                    + "Upload the root or intermediate CA certificate that signs the devices' certificates.");
        }
        boolean[] keyUsage = x509.getKeyUsage();
        if (keyUsage != null && (keyUsage.length <= KEY_CERT_SIGN || !keyUsage[KEY_CERT_SIGN])) {
            throw invalid("The CA certificate's key usage does not allow it to sign certificates (keyCertSign).");
        }
        return parsed;
    }

    /**
     * The record an upload stores. Another certificate than the stored one starts over: verified only if
     * {@code markVerified} is true, no code pending. The same certificate again keeps its state unless
     * {@code markVerified} says otherwise; becoming verified drops a pending code.
     */
    static CaCertificate upload(String name, ParsedCertificate parsed, Boolean markVerified, CaCertificate existing) {
        boolean sameCertificate = existing != null && existing.certificatePem().equals(parsed.pem());
        boolean verified = markVerified != null ? markVerified : sameCertificate && existing.verified();
        String code = sameCertificate && !verified ? existing.verificationCode() : null;
        return new CaCertificate(name, parsed.pem(), parsed.info(), verified, code, RecordVersion.NONE);
    }

    /** Checks a proof of possession for {@code ca}; nothing is changed when it fails. */
    static void checkProofOfPossession(CaCertificate ca, String proof, Instant now) {
        String code = ca.verificationCode();
        if (code == null) {
            throw failed("No verification code is pending for the certificate '" + ca.name() + "': generate one, "
                    + "then send a certificate whose subject CN is that code, signed with the CA's private key.");
        }
        if (proof == null || proof.isEmpty()) {
            throw invalid("'certificate' is required: the verification certificate as PEM or base64 DER.");
        }
        ParsedCertificate parsedProof = CertificateParser.parse(proof);
        X509Certificate candidate = parsedProof.certificate();
        if (!code.equals(parsedProof.commonName())) {
            throw failed("The verification certificate's subject CN is not the current verification code of '"
                    + ca.name() + "' (a newer code replaces an older one).");
        }
        X509Certificate caCertificate = CertificateParser.parse(ca.certificatePem()).certificate();
        try {
            candidate.verify(caCertificate.getPublicKey());
        } catch (GeneralSecurityException | RuntimeException e) {
            throw failed("The verification certificate is not signed with the private key of the CA certificate '"
                    + ca.name() + "'.");
        }
        try {
            candidate.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            throw failed("The verification certificate expired at " + candidate.getNotAfter().toInstant() + ".");
        } catch (CertificateNotYetValidException e) {
            throw failed("The verification certificate is not valid before "
                    + candidate.getNotBefore().toInstant() + ".");
        }
    }

    private static ProvisioningException invalid(String message) {
        return new ProvisioningException(ErrorCode.INVALID_CERTIFICATE, message);
    }

    private static ProvisioningException failed(String message) {
        return new ProvisioningException(ErrorCode.CERTIFICATE_VERIFICATION_FAILED, message);
    }
}
