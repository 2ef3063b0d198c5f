package dev.opendps.domain;

import java.util.Objects;

/**
 * A CA certificate (root or intermediate) registered in an instance under a name, which enrollment groups
 * reference in {@code attestation.x509.caReferences} (dps-protocol.md §2.2). It is trusted for devices only
 * once {@code verified}: after proof of possession of its private key, or when the administrator marked it
 * verified at upload. Public material only.
 *
 * @param name             the key within the instance, compared case-insensitively
 * @param certificatePem   normalized PEM as {@link dev.opendps.domain.x509.CertificateParser} makes it
 * @param info             what was parsed from the certificate
 * @param verified         whether devices may chain to it
 * @param verificationCode the code a proof-of-possession certificate must carry as its subject CN, or null
 *                         when none is pending
 */
public record CaCertificate(
        String name,
        String certificatePem,
        X509CertificateInfo info,
        boolean verified,
        String verificationCode,
        RecordVersion version) implements Versioned<CaCertificate> {

    public CaCertificate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(certificatePem, "certificatePem");
        Objects.requireNonNull(info, "info");
        version = version == null ? RecordVersion.NONE : version;
    }

    @Override
    public String id() {
        return name;
    }

    @Override
    public CaCertificate withVersion(RecordVersion newVersion) {
        return new CaCertificate(name, certificatePem, info, verified, verificationCode, newVersion);
    }

    /** A fresh code to prove possession with; it replaces any earlier one and leaves {@code verified} as it is. */
    public CaCertificate withVerificationCode(String code) {
        return new CaCertificate(name, certificatePem, info, verified, Objects.requireNonNull(code, "code"), version);
    }

    /** Possession proven (or asserted): verified, and no code pending any more. */
    public CaCertificate asVerified() {
        return new CaCertificate(name, certificatePem, info, true, null, version);
    }
}
