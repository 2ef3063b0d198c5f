package dev.opendps.domain;

/**
 * What an X.509 registration reports (dps-protocol.md §1.5 {@code registrationState.x509}): the leaf that
 * registered and, for a group, the certificate in the group (or the verified CA) that its chain ended at.
 * The leaf's thumbprint also binds later polls and status lookups to the certificate that registered.
 */
public record X509RegistrationResult(X509CertificateInfo certificateInfo, X509CertificateInfo signingCertificateInfo) {
}
