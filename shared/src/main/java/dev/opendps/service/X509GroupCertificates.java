package dev.opendps.service;

import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.X509Attestation;
import dev.opendps.domain.X509Attestation.CertificateEntry;
import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.Page;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * "A certificate may be in only one enrollment entry" (dps-protocol.md §2.2) for enrollment groups: a signing
 * certificate, or a CA certificate referenced by name, belongs to one group, so that the chain of a device
 * matches one group and never depends on which one is found first.
 */
final class X509GroupCertificates {
    private static final int PAGE = 1000;

    private final EnrollmentGroupStore groups;

    X509GroupCertificates(EnrollmentGroupStore groups) {
        this.groups = groups;
    }

    /** The group rules, then a 409 if another group of the instance already holds one of its certificates. */
    EnrollmentGroup checkedGroup(String idScope, String id, EnrollmentGroup incoming, EnrollmentGroup existing) {
        EnrollmentGroup group = EnrollmentRules.group(id, incoming, existing);
        Map<String, String> mine = certificates(group);
        if (mine.isEmpty()) {
            return group;
        }
        String token = null;
        do {
            Page<EnrollmentGroup> page = groups.list(idScope, PAGE, token);
            for (EnrollmentGroup other : page.items()) {
                if (other.enrollmentGroupId().equalsIgnoreCase(id)) {
                    continue;
                }
                for (Map.Entry<String, String> held : certificates(other).entrySet()) {
                    if (mine.containsKey(held.getKey())) {
                        throw new ProvisioningException(ErrorCode.CONFLICT, "The " + mine.get(held.getKey())
                                + " is already in enrollment group '" + other.enrollmentGroupId()
                                + "': a certificate may be in only one enrollment entry.");
                    }
                }
            }
            token = page.continuationToken();
        } while (token != null);
        return group;
    }

    /** Key: SHA-256 thumbprint of a signing certificate, or "ca:" + CA name; value: how a message names it. */
    private static Map<String, String> certificates(EnrollmentGroup group) {
        Map<String, String> certificates = new LinkedHashMap<>();
        if (!(group.settings().attestation() instanceof X509Attestation x509)) {
            return certificates;
        }
        if (x509.signingCertificates() != null) {
            Stream.of(x509.signingCertificates().primary(), x509.signingCertificates().secondary())
                    .filter(entry -> entry != null && entry.info() != null)
                    .forEach(entry -> certificates.put(entry.info().sha256Thumbprint().toUpperCase(Locale.ROOT),
                            describe(entry)));
        }
        if (x509.caReferences() != null) {
            Stream.of(x509.caReferences().primary(), x509.caReferences().secondary())
                    .filter(name -> name != null && !name.isBlank())
                    .forEach(name -> certificates.put("ca:" + name.toLowerCase(Locale.ROOT),
                            "CA certificate '" + name + "'"));
        }
        return certificates;
    }

    private static String describe(CertificateEntry entry) {
        return "certificate '" + entry.info().subjectName() + "'";
    }
}
