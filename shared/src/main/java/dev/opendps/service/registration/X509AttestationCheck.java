package dev.opendps.service.registration;

import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.X509Attestation;
import dev.opendps.domain.X509Attestation.CertificateEntry;
import dev.opendps.domain.X509Attestation.X509Certificates;
import dev.opendps.domain.X509CertificateInfo;
import dev.opendps.domain.X509RegistrationResult;
import dev.opendps.domain.port.CaCertificateStore;
import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.EnrollmentStore;
import dev.opendps.domain.port.RegistrationStateStore;
import dev.opendps.domain.x509.CertificateChain;
import dev.opendps.domain.x509.CertificateParser;
import dev.opendps.domain.x509.CertificatePathValidator;
import dev.opendps.domain.x509.ParsedCertificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * X.509 attestation (dps-protocol.md §2.2, §6.2). The leaf's CN is the registration id. Matching walks the
 * chain from the leaf upward and the first hit decides, disabled or not: an individual enrollment holding
 * the leaf, else a group whose signing certificate, or verified CA reference, is the next certificate up.
 * The path from the leaf to the certificate that matched must then validate (signatures, validity, CA
 * constraints, key usage). Intermediates come from the groups, the instance's registered CA certificates
 * and what the device presented. The hub identity is {@code selfSigned} with the leaf's thumbprint (§7).
 */
final class X509AttestationCheck {
    /** The device's leaf, parsed once per request, and the other certificates it presented. */
    record Presented(String registrationId, ParsedCertificate leaf, List<X509Certificate> presented) {
    }

    private final EnrollmentStore enrollments;
    private final EnrollmentGroupStore groups;
    private final RegistrationStateStore states;
    private final X509Trust trust;
    private final Clock clock;

    X509AttestationCheck(EnrollmentStore enrollments, EnrollmentGroupStore groups, CaCertificateStore caCertificates,
                         RegistrationStateStore states, Clock clock) {
        this.enrollments = enrollments;
        this.groups = groups;
        this.states = states;
        this.trust = new X509Trust(groups, caCertificates, clock, Duration.ofSeconds(2));
        this.clock = clock;
    }

    /** Reads the leaf (its CN must be the registration id) and whatever else the handshake carried. */
    Presented presented(String registrationId, DeviceCredentials credentials) {
        ParsedCertificate leaf;
        try {
            leaf = CertificateParser.parseClientCertificateHeader(credentials.clientCertificate());
        } catch (ProvisioningException e) {
            throw DeviceTokens.unauthorized(e.getMessage());
        }
        if (leaf.commonName() == null || !leaf.commonName().equalsIgnoreCase(registrationId)) {
            throw DeviceTokens.unauthorized("The client certificate's subject CN ("
                    + (leaf.commonName() == null ? "none" : "'" + leaf.commonName() + "'")
                    + ") is not the registration id '" + registrationId + "'.");
        }
        List<X509Certificate> others = new ArrayList<>();
        for (String certificate : credentials.presentedCertificates()) {
            try {
                others.add(CertificateParser.parseClientCertificateHeader(certificate).certificate());
            } catch (ProvisioningException unreadable) {
                // Presented certificates only help to build the chain; one that cannot be read is left out.
            }
        }
        return new Presented(registrationId, leaf, List.copyOf(others));
    }

    /** The enrollment the certificate chain matches first (§2.2 "order of operations"). */
    DeviceCredentialMatch match(String idScope, Presented device) {
        Instant now = clock.instant();
        X509Certificate leaf = device.leaf().certificate();
        String thumbprint = device.leaf().info().sha256Thumbprint();
        Optional<IndividualEnrollment> individual = enrollments.find(idScope, device.registrationId())
                .filter(e -> holds(e.settings().attestation(), thumbprint));
        if (individual.isPresent()) {
            CertificatePathValidator.validate(List.of(leaf), leaf, now);
            return match(individual.get(), null, device, null);
        }
        X509Trust.Snapshot snapshot = trust.snapshot(idScope, false);
        Optional<DeviceCredentialMatch> match = matchGroup(idScope, device, snapshot, now);
        if (match.isEmpty() && !snapshot.fresh()) {
            match = matchGroup(idScope, device, trust.snapshot(idScope, true), now);
        }
        return match.orElseThrow(() -> DeviceTokens.unauthorized("No enrollment matches the certificate '"
                + device.leaf().info().subjectName() + "' or a certificate of its chain."));
    }

    private Optional<DeviceCredentialMatch> matchGroup(String idScope, Presented device, X509Trust.Snapshot snapshot,
                                                       Instant now) {
        List<X509Certificate> pool = new ArrayList<>(snapshot.certificates());
        pool.addAll(device.presented());
        List<X509Certificate> chain = CertificateChain.build(device.leaf().certificate(), pool, now);
        for (X509Certificate certificate : chain.subList(1, chain.size())) {
            ParsedCertificate parsed = parsed(certificate);
            for (String groupId : snapshot.groupsTrusting(parsed.info().sha256Thumbprint())) {
                // The snapshot only narrows the search: the group as stored now decides.
                Optional<EnrollmentGroup> group = groups.find(idScope, groupId)
                        .filter(g -> trust.trusts(idScope, g, parsed.info().sha256Thumbprint()));
                if (group.isPresent()) {
                    CertificatePathValidator.validate(chain, certificate, now);
                    return Optional.of(match(null, group.get(), device, parsed.info()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A poll or status lookup: the leaf must be the one that registered (its thumbprint is in the device's
     * registration state) and still be valid. The chain is not walked again: a resumed TLS session carries
     * only the leaf (sdk-wire-notes.md "TLS client certificates").
     */
    void authenticateRegistered(String idScope, Presented device) {
        String thumbprint = device.leaf().info().sha256Thumbprint();
        boolean registeredWithIt = states.find(idScope, device.registrationId())
                .map(DeviceRegistrationState::x509)
                .filter(x509 -> x509.certificateInfo() != null
                        && thumbprint.equalsIgnoreCase(x509.certificateInfo().sha256Thumbprint()))
                .isPresent();
        if (!registeredWithIt) {
            throw DeviceTokens.unauthorized("This certificate is not the one this device registered with.");
        }
        CertificatePathValidator.validate(List.of(device.leaf().certificate()), device.leaf().certificate(),
                clock.instant());
    }

    private static DeviceCredentialMatch match(IndividualEnrollment individual, EnrollmentGroup group, Presented device,
                                               X509CertificateInfo signing) {
        String thumbprint = device.leaf().info().sha256Thumbprint();
        return new DeviceCredentialMatch(individual, group, "x509",
                HubDevice.Authentication.selfSigned(thumbprint, thumbprint),
                new X509RegistrationResult(device.leaf().info(), signing), null);
    }

    /** Whether an individual enrollment's client certificates include the leaf. */
    private static boolean holds(dev.opendps.domain.Attestation attestation, String thumbprint) {
        if (!(attestation instanceof X509Attestation x509) || x509.clientCertificates() == null) {
            return false;
        }
        X509Certificates certificates = x509.clientCertificates();
        return Stream.of(certificates.primary(), certificates.secondary())
                .map(X509AttestationCheck::sha256)
                .anyMatch(thumbprint::equalsIgnoreCase);
    }

    private static ParsedCertificate parsed(X509Certificate certificate) {
        try {
            return CertificateParser.parse(Base64.getEncoder().encodeToString(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw DeviceTokens.unauthorized("A certificate of the chain cannot be encoded.");
        }
    }

    static String sha256(CertificateEntry entry) {
        if (entry == null) {
            return null;
        }
        if (entry.info() != null && entry.info().sha256Thumbprint() != null) {
            return entry.info().sha256Thumbprint();
        }
        return entry.certificatePem() == null ? null : CertificateParser.parse(entry.certificatePem()).info().sha256Thumbprint();
    }
}
