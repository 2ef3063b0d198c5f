package dev.opendps.domain.x509;

import dev.opendps.domain.X509CertificateInfo;

import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A certificate accepted by {@link CertificateParser}.
 *
 * @param certificate the decoded certificate
 * @param pem         normalized PEM: one block, 64-character base64 lines, {@code \n} line ends, final newline
 * @param info        what DPS reports about the certificate (dps-protocol.md §4.4)
 * @param commonName  the subject's CN (the first one in DER order), or null if it has none
 */
public record ParsedCertificate(X509Certificate certificate, String pem, X509CertificateInfo info, String commonName) {
    public ParsedCertificate {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(pem, "pem");
        Objects.requireNonNull(info, "info");
    }
}
