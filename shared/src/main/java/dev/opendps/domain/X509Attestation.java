package dev.opendps.domain;

/**
 * X.509 attestation (§4.4): individual enrollments name client certificates, groups name signing
 * certificates or references to CA certificates verified in the instance. Exactly one of the three is set.
 */
public record X509Attestation(
        X509Certificates clientCertificates,
        X509Certificates signingCertificates,
        CaReferences caReferences) implements Attestation {

    @Override
    public String type() {
        return "x509";
    }

    /** A primary and optional secondary certificate. */
    public record X509Certificates(CertificateEntry primary, CertificateEntry secondary) {
    }

    /** A certificate as stored (PEM, public material only) with what was parsed from it. */
    public record CertificateEntry(String certificatePem, X509CertificateInfo info) {
    }

    /** Names of CA certificates registered and verified in the instance. */
    public record CaReferences(String primary, String secondary) {
    }
}
