package dev.opendps.domain;

import java.time.Instant;

/** What DPS reports about a certificate instead of the certificate itself (dps-protocol.md §1.5, §4.4). */
public record X509CertificateInfo(
        String subjectName,
        String sha1Thumbprint,
        String sha256Thumbprint,
        String issuerName,
        Instant notBeforeUtc,
        Instant notAfterUtc,
        String serialNumber,
        int version) {
}
