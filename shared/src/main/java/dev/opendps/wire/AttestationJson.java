package dev.opendps.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.Attestation;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.SymmetricKeyAttestation;
import dev.opendps.domain.TpmAttestation;
import dev.opendps.domain.X509Attestation;
import dev.opendps.domain.X509Attestation.CaReferences;
import dev.opendps.domain.X509Attestation.CertificateEntry;
import dev.opendps.domain.X509Attestation.X509Certificates;
import dev.opendps.domain.X509CertificateInfo;

/**
 * AttestationMechanism (dps-protocol.md §4.4). Reading keeps certificates as sent (the service parses
 * them); writing for the API gives {@code info} instead of the certificate.
 */
public final class AttestationJson {
    private AttestationJson() {
    }

    public static Attestation read(JsonNode node) {
        if (node == null || node.isNull()) {
            throw new ProvisioningException(ErrorCode.INVALID_ATTESTATION, "'attestation' is required.");
        }
        if (!node.isObject()) {
            throw new ProvisioningException(ErrorCode.INVALID_ATTESTATION, "'attestation' must be a JSON object.");
        }
        String type = Fields.string(node, "type");
        if (type == null) {
            throw new ProvisioningException(ErrorCode.INVALID_ATTESTATION, "'attestation.type' is required.");
        }
        switch (type.toLowerCase(java.util.Locale.ROOT)) {
            case "symmetrickey": {
                ObjectNode keys = Fields.object(node, "symmetricKey");
                return new SymmetricKeyAttestation(emptyToNull(Fields.string(keys, "primaryKey")),
                        emptyToNull(Fields.string(keys, "secondaryKey")));
            }
            case "tpm": {
                ObjectNode tpm = Fields.object(node, "tpm");
                if (tpm == null) {
                    throw new ProvisioningException(ErrorCode.INVALID_ATTESTATION, "'attestation.tpm' is required.");
                }
                return new TpmAttestation(emptyToNull(Fields.string(tpm, "endorsementKey")),
                        emptyToNull(Fields.string(tpm, "storageRootKey")));
            }
            case "x509": {
                ObjectNode x509 = Fields.object(node, "x509");
                if (x509 == null) {
                    throw new ProvisioningException(ErrorCode.INVALID_ATTESTATION, "'attestation.x509' is required.");
                }
                ObjectNode ca = Fields.object(x509, "caReferences");
                return new X509Attestation(
                        readCertificates(Fields.object(x509, "clientCertificates")),
                        readCertificates(Fields.object(x509, "signingCertificates")),
                        ca == null ? null : new CaReferences(emptyToNull(Fields.string(ca, "primary")),
                                emptyToNull(Fields.string(ca, "secondary"))));
            }
            default:
                throw new ProvisioningException(ErrorCode.INVALID_ATTESTATION,
                        "'attestation.type' must be symmetricKey, x509 or tpm.");
        }
    }

    public static ObjectNode write(Attestation attestation, View view) {
        ObjectNode node = Json.object();
        node.put("type", attestation.type());
        if (attestation instanceof SymmetricKeyAttestation keys) {
            ObjectNode k = node.putObject("symmetricKey");
            k.put("primaryKey", keys.primaryKey());
            k.put("secondaryKey", keys.secondaryKey());
        } else if (attestation instanceof TpmAttestation tpm) {
            ObjectNode t = node.putObject("tpm");
            t.put("endorsementKey", tpm.endorsementKey());
            Fields.putIfNotNull(t, "storageRootKey", tpm.storageRootKey());
        } else if (attestation instanceof X509Attestation x509) {
            ObjectNode x = node.putObject("x509");
            writeCertificates(x, "clientCertificates", x509.clientCertificates(), view);
            writeCertificates(x, "signingCertificates", x509.signingCertificates(), view);
            if (x509.caReferences() != null) {
                ObjectNode ca = x.putObject("caReferences");
                ca.put("primary", x509.caReferences().primary());
                Fields.putIfNotNull(ca, "secondary", x509.caReferences().secondary());
            }
        }
        return node;
    }

    private static X509Certificates readCertificates(ObjectNode node) {
        if (node == null) {
            return null;
        }
        CertificateEntry primary = readEntry(Fields.object(node, "primary"));
        CertificateEntry secondary = readEntry(Fields.object(node, "secondary"));
        return primary == null && secondary == null ? null : new X509Certificates(primary, secondary);
    }

    private static CertificateEntry readEntry(ObjectNode node) {
        if (node == null) {
            return null;
        }
        String certificate = emptyToNull(Fields.string(node, "certificate"));
        ObjectNode info = Fields.object(node, "info");
        if (certificate == null && info == null) {
            return null;
        }
        return new CertificateEntry(certificate, info == null ? null : readInfo(info));
    }

    private static void writeCertificates(ObjectNode parent, String name, X509Certificates certificates, View view) {
        if (certificates == null) {
            return;
        }
        ObjectNode node = parent.putObject(name);
        writeEntry(node, "primary", certificates.primary(), view);
        writeEntry(node, "secondary", certificates.secondary(), view);
    }

    private static void writeEntry(ObjectNode parent, String name, CertificateEntry entry, View view) {
        if (entry == null) {
            return;
        }
        ObjectNode node = parent.putObject(name);
        if (view == View.STORAGE) {
            Fields.putIfNotNull(node, "certificate", entry.certificatePem());
        }
        if (entry.info() != null) {
            node.set("info", writeInfo(entry.info()));
        }
    }

    public static ObjectNode writeInfo(X509CertificateInfo info) {
        ObjectNode node = Json.object();
        node.put("subjectName", info.subjectName());
        node.put("sha1Thumbprint", info.sha1Thumbprint());
        node.put("sha256Thumbprint", info.sha256Thumbprint());
        node.put("issuerName", info.issuerName());
        node.put("notBeforeUtc", Timestamps.format(info.notBeforeUtc()));
        node.put("notAfterUtc", Timestamps.format(info.notAfterUtc()));
        node.put("serialNumber", info.serialNumber());
        node.put("version", info.version());
        return node;
    }

    static X509CertificateInfo readInfo(JsonNode node) {
        JsonNode version = node.get("version");
        return new X509CertificateInfo(
                Fields.string(node, "subjectName"),
                Fields.string(node, "sha1Thumbprint"),
                Fields.string(node, "sha256Thumbprint"),
                Fields.string(node, "issuerName"),
                Timestamps.parseOrNull(Fields.string(node, "notBeforeUtc")),
                Timestamps.parseOrNull(Fields.string(node, "notAfterUtc")),
                Fields.string(node, "serialNumber"),
                version != null && version.canConvertToInt() ? version.intValue() : 3);
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
