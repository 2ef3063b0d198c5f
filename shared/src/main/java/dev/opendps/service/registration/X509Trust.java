package dev.opendps.service.registration;

import dev.opendps.domain.CaCertificate;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.X509Attestation;
import dev.opendps.domain.X509Attestation.CaReferences;
import dev.opendps.domain.port.CaCertificateStore;
import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.Page;
import dev.opendps.domain.x509.CertificateParser;
import dev.opendps.domain.x509.ParsedCertificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What X.509 groups trust, per instance (dps-protocol.md §2.2): their signing certificates and the verified
 * CA certificates their {@code caReferences} name, indexed by SHA-256 thumbprint. Cached briefly so a burst
 * of registrations does not re-read every group and certificate; the cache only narrows the search, and
 * {@link #trusts} re-checks a hit against the stored group and CA certificate.
 */
final class X509Trust {
    /**
     * @param certificates every group signing certificate and verified CA certificate, to build chains with
     * @param groupsByThumbprint which groups trust a certificate, by its upper-case hex SHA-256 thumbprint
     */
    record Snapshot(Instant loadedAt, boolean fresh, List<X509Certificate> certificates,
                    Map<String, List<String>> groupsByThumbprint) {
        List<String> groupsTrusting(String sha256Thumbprint) {
            return groupsByThumbprint.getOrDefault(sha256Thumbprint.toUpperCase(Locale.ROOT), List.of());
        }
    }

    private static final int PAGE = 1000;

    private final EnrollmentGroupStore groups;
    private final CaCertificateStore caCertificates;
    private final Clock clock;
    private final Duration maxAge;
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();

    X509Trust(EnrollmentGroupStore groups, CaCertificateStore caCertificates, Clock clock, Duration maxAge) {
        this.groups = groups;
        this.caCertificates = caCertificates;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /** The cached snapshot while it is young enough, or a fresh one ({@code reload} forces it). */
    Snapshot snapshot(String idScope, boolean reload) {
        Snapshot snapshot = snapshots.get(idScope);
        if (reload || snapshot == null || snapshot.loadedAt().plus(maxAge).isBefore(clock.instant())) {
            snapshot = load(idScope);
            snapshots.put(idScope, new Snapshot(snapshot.loadedAt(), false, snapshot.certificates(),
                    snapshot.groupsByThumbprint()));
        }
        return snapshot;
    }

    /** Whether the group, as stored now, trusts the certificate: as a signing certificate or a verified CA. */
    boolean trusts(String idScope, EnrollmentGroup group, String sha256Thumbprint) {
        if (!(group.settings().attestation() instanceof X509Attestation x509)) {
            return false;
        }
        if (x509.signingCertificates() != null) {
            return Stream.of(x509.signingCertificates().primary(), x509.signingCertificates().secondary())
                    .map(X509AttestationCheck::sha256)
                    .anyMatch(sha256Thumbprint::equalsIgnoreCase);
        }
        return caNames(x509.caReferences()).stream()
                .map(name -> caCertificates.find(idScope, name))
                .flatMap(Optional::stream)
                .filter(CaCertificate::verified)
                .anyMatch(ca -> sha256Thumbprint.equalsIgnoreCase(ca.info().sha256Thumbprint()));
    }

    private Snapshot load(String idScope) {
        Map<String, ParsedCertificate> verifiedCas = new LinkedHashMap<>();
        walk(token -> caCertificates.list(idScope, PAGE, token), ca -> {
            if (ca.verified()) {
                verifiedCas.put(ca.name().toLowerCase(Locale.ROOT), CertificateParser.parse(ca.certificatePem()));
            }
        });
        Set<X509Certificate> certificates = new LinkedHashSet<>();
        Map<String, List<String>> groupsByThumbprint = new LinkedHashMap<>();
        walk(token -> groups.list(idScope, PAGE, token), group -> {
            if (!(group.settings().attestation() instanceof X509Attestation x509)) {
                return;
            }
            List<ParsedCertificate> trusted = new ArrayList<>();
            if (x509.signingCertificates() != null) {
                Stream.of(x509.signingCertificates().primary(), x509.signingCertificates().secondary())
                        .filter(entry -> entry != null && entry.certificatePem() != null)
                        .map(entry -> CertificateParser.parse(entry.certificatePem()))
                        .forEach(trusted::add);
            }
            for (String name : caNames(x509.caReferences())) {
                ParsedCertificate ca = verifiedCas.get(name.toLowerCase(Locale.ROOT));
                if (ca != null) {
                    trusted.add(ca);
                }
            }
            for (ParsedCertificate certificate : trusted) {
                certificates.add(certificate.certificate());
                groupsByThumbprint.computeIfAbsent(certificate.info().sha256Thumbprint().toUpperCase(Locale.ROOT),
                        t -> new ArrayList<>()).add(group.enrollmentGroupId());
            }
        });
        // Verified CA certificates no group names still serve as intermediates of a chain.
        verifiedCas.values().forEach(ca -> certificates.add(ca.certificate()));
        return new Snapshot(clock.instant(), true, List.copyOf(certificates), Map.copyOf(groupsByThumbprint));
    }

    private static List<String> caNames(CaReferences references) {
        if (references == null) {
            return List.of();
        }
        return Stream.of(references.primary(), references.secondary()).filter(n -> n != null && !n.isBlank()).toList();
    }

    private static <T> void walk(Function<String, Page<T>> lister, java.util.function.Consumer<T> each) {
        String token = null;
        do {
            Page<T> page = lister.apply(token);
            page.items().forEach(each);
            token = page.continuationToken();
        } while (token != null);
    }
}
