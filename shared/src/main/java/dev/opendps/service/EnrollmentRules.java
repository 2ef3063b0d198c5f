package dev.opendps.service;

import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.Attestation;
import dev.opendps.domain.CustomAllocationDefinition;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.EnrollmentSettings;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.Identifiers;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.SymmetricKeyAttestation;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.TpmAttestation;
import dev.opendps.domain.X509Attestation;
import dev.opendps.domain.X509Attestation.CertificateEntry;
import dev.opendps.domain.X509Attestation.X509Certificates;
import dev.opendps.domain.X509CertificateInfo;
import dev.opendps.domain.tpm.TpmPublic;
import dev.opendps.domain.x509.CertificateParser;
import dev.opendps.domain.x509.ParsedCertificate;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What an enrollment or group must satisfy before it is stored (dps-protocol.md §2.3, §4.4), and how a
 * write is merged with the record it replaces: keys and certificates the client did not send again are
 * kept (a GET returns certificate info, not the certificate, and the SDKs PUT back what they read).
 */
final class EnrollmentRules {
    private static final java.util.regex.Pattern HOST_NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*(:\\d{1,5})?");

    private EnrollmentRules() {
    }

    static IndividualEnrollment individual(String pathId, IndividualEnrollment incoming, IndividualEnrollment existing) {
        String id = idFromBody(pathId, incoming.registrationId(), "registrationId");
        Identifiers.registrationId(id);
        if (incoming.deviceId() != null) {
            Identifiers.deviceId(incoming.deviceId());
        }
        Attestation attestation = incoming.settings().attestation();
        if (attestation instanceof X509Attestation x509
                && (x509.clientCertificates() == null || x509.signingCertificates() != null || x509.caReferences() != null)) {
            throw invalidAttestation("An individual enrollment's X.509 attestation takes clientCertificates only.");
        }
        Attestation previous = existing == null ? null : existing.settings().attestation();
        EnrollmentSettings settings = settings(incoming.settings(), previous);
        return new IndividualEnrollment(id, incoming.deviceId(), incoming.optionalDeviceInformation(), settings,
                incoming.version());
    }

    static EnrollmentGroup group(String pathId, EnrollmentGroup incoming, EnrollmentGroup existing) {
        String id = idFromBody(pathId, incoming.enrollmentGroupId(), "enrollmentGroupId");
        Identifiers.enrollmentGroupId(id);
        Attestation attestation = incoming.settings().attestation();
        if (attestation instanceof TpmAttestation) {
            throw invalidAttestation("Enrollment groups do not support TPM attestation.");
        }
        if (attestation instanceof X509Attestation x509 && (x509.clientCertificates() != null
                || (x509.signingCertificates() == null) == (x509.caReferences() == null))) {
            throw invalidAttestation(
                    "An enrollment group's X.509 attestation takes either signingCertificates or caReferences.");
        }
        Attestation previous = existing == null ? null : existing.settings().attestation();
        return new EnrollmentGroup(id, settings(incoming.settings(), previous), incoming.version());
    }

    private static String idFromBody(String pathId, String bodyId, String field) {
        if (bodyId == null || bodyId.isEmpty()) {
            return pathId;
        }
        if (!bodyId.equalsIgnoreCase(pathId)) {
            throw new ProvisioningException(ErrorCode.ID_MISMATCH,
                    "The " + field + " in the body does not match the one in the path.");
        }
        return bodyId;
    }

    private static EnrollmentSettings settings(EnrollmentSettings incoming, Attestation previous) {
        Attestation attestation = incoming.attestation();
        Attestation normalized;
        if (attestation instanceof SymmetricKeyAttestation keys) {
            normalized = symmetricKeys(keys, previous instanceof SymmetricKeyAttestation p ? p : null);
        } else if (attestation instanceof TpmAttestation tpm) {
            normalized = tpm(tpm);
        } else {
            normalized = x509((X509Attestation) attestation, previous instanceof X509Attestation p ? p : null);
        }
        checkAllocation(incoming);
        return incoming.withAttestation(normalized);
    }

    /** Missing keys are kept from the record being replaced, or generated (§4.4); given keys are checked. */
    private static SymmetricKeyAttestation symmetricKeys(SymmetricKeyAttestation incoming, SymmetricKeyAttestation previous) {
        String primary = incoming.primaryKey() != null ? incoming.primaryKey()
                : previous != null ? previous.primaryKey() : SymmetricKeys.generate();
        String secondary = incoming.secondaryKey() != null ? incoming.secondaryKey()
                : previous != null ? previous.secondaryKey() : SymmetricKeys.generate();
        SymmetricKeys.validate(primary);
        SymmetricKeys.validate(secondary);
        return new SymmetricKeyAttestation(primary, secondary);
    }

    private static TpmAttestation tpm(TpmAttestation tpm) {
        if (tpm.endorsementKey() == null) {
            throw invalidAttestation("'attestation.tpm.endorsementKey' is required.");
        }
        TpmPublic.parseBase64(tpm.endorsementKey());
        if (tpm.storageRootKey() != null) {
            TpmPublic.parseBase64(tpm.storageRootKey());
        }
        return tpm;
    }

    private static X509Attestation x509(X509Attestation incoming, X509Attestation previous) {
        return new X509Attestation(
                certificates(incoming.clientCertificates(), previous),
                certificates(incoming.signingCertificates(), previous),
                incoming.caReferences());
    }

    private static X509Certificates certificates(X509Certificates certificates, X509Attestation previous) {
        if (certificates == null) {
            return null;
        }
        if (certificates.primary() == null) {
            throw invalidAttestation("A primary certificate is required.");
        }
        return new X509Certificates(entry(certificates.primary(), previous), entry(certificates.secondary(), previous));
    }

    /** Parses a sent certificate; an entry with only {@code info} must name a certificate already stored. */
    private static CertificateEntry entry(CertificateEntry entry, X509Attestation previous) {
        if (entry == null) {
            return null;
        }
        if (entry.certificatePem() != null) {
            ParsedCertificate parsed = CertificateParser.parse(entry.certificatePem());
            return new CertificateEntry(parsed.pem(), parsed.info());
        }
        X509CertificateInfo info = entry.info();
        return storedEntries(previous)
                .filter(stored -> stored.info() != null && info.sha256Thumbprint() != null
                        && info.sha256Thumbprint().equalsIgnoreCase(stored.info().sha256Thumbprint()))
                .findFirst()
                .orElseThrow(() -> new ProvisioningException(ErrorCode.INVALID_CERTIFICATE,
                        "A certificate entry must carry the certificate (PEM or base64 DER)."));
    }

    private static Stream<CertificateEntry> storedEntries(X509Attestation previous) {
        if (previous == null) {
            return Stream.empty();
        }
        return Stream.of(previous.clientCertificates(), previous.signingCertificates())
                .filter(Objects::nonNull)
                .flatMap(c -> Stream.of(c.primary(), c.secondary()))
                .filter(Objects::nonNull);
    }

    private static void checkAllocation(EnrollmentSettings settings) {
        for (String hub : settings.iotHubs()) {
            if (!HOST_NAME.matcher(hub).matches()) {
                throw new ProvisioningException(ErrorCode.INVALID_ARGUMENT, "'iotHubs' must hold IoT hub host names.");
            }
        }
        if (settings.iotHubHostName() != null && !HOST_NAME.matcher(settings.iotHubHostName()).matches()) {
            throw new ProvisioningException(ErrorCode.INVALID_ARGUMENT, "'iotHubHostName' must be a host name.");
        }
        if (settings.allocationPolicy() == AllocationPolicy.STATIC && settings.iotHubs().size() > 1) {
            throw new ProvisioningException(ErrorCode.INVALID_ARGUMENT,
                    "A static allocation policy takes exactly one IoT hub.");
        }
        CustomAllocationDefinition custom = settings.customAllocationDefinition();
        if (settings.allocationPolicy() == AllocationPolicy.CUSTOM && custom == null) {
            throw new ProvisioningException(ErrorCode.INVALID_ARGUMENT,
                    "A custom allocation policy needs a customAllocationDefinition.");
        }
        if (custom != null) {
            checkWebhook(custom);
        }
    }

    private static void checkWebhook(CustomAllocationDefinition custom) {
        if (custom.apiVersion() == null || custom.apiVersion().isBlank()) {
            throw new ProvisioningException(ErrorCode.INVALID_ARGUMENT,
                    "'customAllocationDefinition.apiVersion' is required.");
        }
        try {
            URI uri = URI.create(custom.webhookUrl() == null ? "" : custom.webhookUrl());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new ProvisioningException(ErrorCode.INVALID_ARGUMENT,
                    "'customAllocationDefinition.webhookUrl' must be an absolute http(s) URL.");
        }
    }

    private static ProvisioningException invalidAttestation(String message) {
        return new ProvisioningException(ErrorCode.INVALID_ATTESTATION, message);
    }
}
