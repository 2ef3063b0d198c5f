package dev.opendps.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.RegistrationStatus;
import dev.opendps.domain.X509RegistrationResult;

/** DeviceRegistrationState (§4.4) for the service API, and as stored. */
public final class RegistrationStateJson {
    private RegistrationStateJson() {
    }

    public static ObjectNode write(DeviceRegistrationState state, View view) {
        ObjectNode node = Json.object();
        node.put("registrationId", state.registrationId());
        Fields.putIfNotNull(node, "assignedHub", state.assignedHub());
        Fields.putIfNotNull(node, "deviceId", state.deviceId());
        node.put("status", state.status().wireName());
        Fields.putIfNotNull(node, "substatus", state.substatus());
        if (state.errorCode() != null) {
            node.put("errorCode", state.errorCode());
        }
        Fields.putIfNotNull(node, "errorMessage", state.errorMessage());
        if (state.payload() != null) {
            node.set("payload", state.payload());
        }
        if (view == View.STORAGE) {
            Fields.putIfNotNull(node, "enrollmentGroupId", state.enrollmentGroupId());
            Fields.putIfNotNull(node, "attestationType", state.attestationType());
            if (state.x509() != null) {
                node.set("x509", writeX509(state.x509()));
            }
            Fields.putIfNotNull(node, "tpmAuthenticationKey", state.tpmAuthenticationKey());
            Fields.putIfNotNull(node, "initialHub", state.initialHub());
        }
        EnrollmentJson.writeVersion(node, state.version(), view);
        return node;
    }

    public static DeviceRegistrationState read(JsonNode node) {
        JsonNode errorCode = Fields.present(node, "errorCode");
        return new DeviceRegistrationState(
                Fields.string(node, "registrationId"),
                Fields.string(node, "deviceId"),
                Fields.string(node, "assignedHub"),
                RegistrationStatus.fromWire(Fields.string(node, "status")),
                Fields.string(node, "substatus"),
                errorCode == null ? null : errorCode.intValue(),
                Fields.string(node, "errorMessage"),
                Fields.present(node, "payload"),
                Fields.string(node, "enrollmentGroupId"),
                Fields.string(node, "attestationType"),
                readX509(Fields.object(node, "x509")),
                Fields.string(node, "tpmAuthenticationKey"),
                Fields.string(node, "initialHub"),
                EnrollmentJson.readVersion(node));
    }

    /** {@code {certificateInfo, signingCertificateInfo}}: both with all 8 fields, as the Java SDK requires (§1.5). */
    static ObjectNode writeX509(X509RegistrationResult x509) {
        ObjectNode node = Json.object();
        if (x509.certificateInfo() != null) {
            node.set("certificateInfo", AttestationJson.writeInfo(x509.certificateInfo()));
        }
        if (x509.signingCertificateInfo() != null) {
            node.set("signingCertificateInfo", AttestationJson.writeInfo(x509.signingCertificateInfo()));
        }
        return node;
    }

    private static X509RegistrationResult readX509(ObjectNode node) {
        if (node == null) {
            return null;
        }
        ObjectNode leaf = Fields.object(node, "certificateInfo");
        ObjectNode signing = Fields.object(node, "signingCertificateInfo");
        return new X509RegistrationResult(leaf == null ? null : AttestationJson.readInfo(leaf),
                signing == null ? null : AttestationJson.readInfo(signing));
    }
}
