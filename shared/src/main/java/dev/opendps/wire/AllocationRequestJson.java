package dev.opendps.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.allocation.AllocationRequest;
import dev.opendps.domain.allocation.DeviceRuntimeContext;
import dev.opendps.domain.allocation.DeviceRuntimeContext.PresentedAttestation;
import dev.opendps.domain.allocation.RegisteringDevice;

/**
 * The body of a custom allocation webhook call (dps-protocol.md §5 {@code AllocationRequest}):
 * {@code individualEnrollment} or {@code enrollmentGroup}, {@code deviceRuntimeContext} and {@code linkedHubs}.
 *
 * <p>The enrollment is written in its API shape without secrets: symmetric keys are left out (the attestation
 * is {@code {"type":"symmetricKey"}}), X.509 certificates appear as their {@code info} only, TPM keys are
 * public and stay. The webhook URL's query (the function key, {@code ?code=…}) is masked as {@code ?****}, as
 * in the requests real DPS sends.
 */
public final class AllocationRequestJson {
    private AllocationRequestJson() {
    }

    public static ObjectNode write(AllocationRequest request) {
        ObjectNode node = Json.object();
        RegisteringDevice device = request.device();
        if (device.individualEnrollment() != null) {
            node.set("individualEnrollment", withoutSecrets(EnrollmentJson.write(device.individualEnrollment(), View.API)));
        } else {
            node.set("enrollmentGroup", withoutSecrets(EnrollmentJson.write(device.enrollmentGroup(), View.API)));
        }
        node.set("deviceRuntimeContext", runtimeContext(device.runtimeContext()));
        request.linkedHubs().forEach(node.putArray("linkedHubs")::add);
        return node;
    }

    private static ObjectNode withoutSecrets(ObjectNode enrollment) {
        JsonNode attestation = enrollment.get("attestation");
        if (attestation instanceof ObjectNode a) {
            a.remove("symmetricKey");
        }
        JsonNode custom = enrollment.get("customAllocationDefinition");
        if (custom instanceof ObjectNode c && c.hasNonNull("webhookUrl")) {
            c.put("webhookUrl", maskedQuery(c.get("webhookUrl").asText()));
        }
        return enrollment;
    }

    /** {@code https://fn.example/api/allocate?code=secret} becomes {@code https://fn.example/api/allocate?****}. */
    static String maskedQuery(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?****";
    }

    private static ObjectNode runtimeContext(DeviceRuntimeContext context) {
        ObjectNode node = Json.object();
        node.put("registrationId", context.registrationId());
        Fields.putIfNotNull(node, "currentIotHubHostName", context.currentIotHubHostName());
        Fields.putIfNotNull(node, "currentDeviceId", context.currentDeviceId());
        PresentedAttestation attestation = context.attestation();
        if (attestation instanceof PresentedAttestation.SymmetricKey) {
            node.putObject("symmetricKey");
        } else if (attestation instanceof PresentedAttestation.X509 x509) {
            node.putObject("x509").putObject("clientCertificate")
                    .set("info", AttestationJson.writeInfo(x509.clientCertificate()));
        } else if (attestation instanceof PresentedAttestation.Tpm tpm) {
            ObjectNode t = node.putObject("tpm");
            t.put("endorsementKey", tpm.endorsementKey());
            Fields.putIfNotNull(t, "storageRootKey", tpm.storageRootKey());
        }
        if (context.payload() != null) {
            node.set("payload", context.payload());
        }
        return node;
    }
}
