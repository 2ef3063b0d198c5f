package dev.opendps.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.CaCertificate;
import dev.opendps.domain.X509CertificateInfo;
import dev.opendps.domain.x509.CertificateParser;
import java.util.List;

/**
 * Registered CA certificates as JSON, in the shapes of ARM's certificate resource of a provisioning service
 * ({@code CertificateResponse}, {@code VerificationCodeResponse}, {@code CertificateListDescription}) so that
 * portal and az-cli users recognise them, with this project's timestamps (dps-protocol.md §4.6) and quoted etags
 * (§4.3); and the document stores keep.
 */
public final class CaCertificateJson {
    /** The ARM resource type every certificate answer names. */
    public static final String RESOURCE_TYPE = "Microsoft.Devices/provisioningServices/Certificates";

    private CaCertificateJson() {
    }

    /**
     * What an upload carries.
     *
     * @param certificate PEM or base64 DER as sent; null when absent
     * @param isVerified  {@code true} marks the certificate verified at once; null when absent
     */
    public record Upload(String certificate, Boolean isVerified) {
    }

    /** Reads {@code {"certificate":…,"isVerified":…}}, or the same inside ARM's {@code "properties"}. */
    public static Upload readUpload(JsonNode body) {
        JsonNode source = properties(body);
        return new Upload(Fields.string(source, "certificate"), Fields.bool(source, "isVerified"));
    }

    /** The proof-of-possession certificate of a verify request: {@code {"certificate":…}} (or inside "properties"). */
    public static String readVerificationCertificate(JsonNode body) {
        return Fields.string(properties(body), "certificate");
    }

    /** {@code CertificateResponse}: never the verification code, never private material. */
    public static ObjectNode write(CaCertificate certificate) {
        return response(certificate, false);
    }

    /** {@code VerificationCodeResponse}: the certificate response plus {@code properties.verificationCode}. */
    public static ObjectNode writeWithVerificationCode(CaCertificate certificate) {
        return response(certificate, true);
    }

    /** {@code CertificateListDescription}: {@code {"value":[CertificateResponse…]}}. */
    public static ObjectNode writeList(List<CaCertificate> certificates) {
        ObjectNode node = Json.object();
        ArrayNode value = node.putArray("value");
        certificates.forEach(certificate -> value.add(write(certificate)));
        return node;
    }

    private static ObjectNode response(CaCertificate certificate, boolean withVerificationCode) {
        X509CertificateInfo info = certificate.info();
        ObjectNode node = Json.object();
        node.put("name", certificate.name());
        Fields.putIfNotNull(node, "etag", ETags.quote(certificate.etag()));
        node.put("type", RESOURCE_TYPE);
        ObjectNode properties = node.putObject("properties");
        properties.put("subject", info.subjectName());
        properties.put("expiry", Timestamps.format(info.notAfterUtc()));
        properties.put("thumbprint", info.sha1Thumbprint());
        properties.put("isVerified", certificate.verified());
        Fields.putIfNotNull(properties, "created", Timestamps.format(certificate.version().createdDateTimeUtc()));
        Fields.putIfNotNull(properties, "updated", Timestamps.format(certificate.version().lastUpdatedDateTimeUtc()));
        properties.put("certificate", CertificateParser.base64Der(certificate.certificatePem()));
        if (withVerificationCode) {
            Fields.putIfNotNull(properties, "verificationCode", certificate.verificationCode());
        }
        return node;
    }

    private static JsonNode properties(JsonNode body) {
        ObjectNode properties = Fields.object(body, "properties");
        return properties != null ? properties : body;
    }

    static ObjectNode writeStored(CaCertificate certificate) {
        ObjectNode node = Json.object();
        node.put("name", certificate.name());
        node.put("certificate", certificate.certificatePem());
        node.set("info", AttestationJson.writeInfo(certificate.info()));
        node.put("isVerified", certificate.verified());
        Fields.putIfNotNull(node, "verificationCode", certificate.verificationCode());
        EnrollmentJson.writeVersion(node, certificate.version(), View.STORAGE);
        return node;
    }

    static CaCertificate readStored(JsonNode node) {
        Boolean verified = Fields.bool(node, "isVerified");
        return new CaCertificate(
                Fields.string(node, "name"),
                Fields.string(node, "certificate"),
                AttestationJson.readInfo(Fields.object(node, "info")),
                verified != null && verified,
                Fields.string(node, "verificationCode"),
                EnrollmentJson.readVersion(node));
    }
}
