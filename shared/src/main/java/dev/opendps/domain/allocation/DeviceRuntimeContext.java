package dev.opendps.domain.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.X509CertificateInfo;
import java.util.Objects;

/**
 * What a custom allocation webhook learns about the registering device (dps-protocol.md §5
 * {@code deviceRuntimeContext}): its registration id, where it was last assigned (only if it was), the public
 * part of what it attested with, and the payload it sent (only if it sent one). Never a key.
 */
public record DeviceRuntimeContext(String registrationId, String currentIotHubHostName, String currentDeviceId,
                                   PresentedAttestation attestation, JsonNode payload) {

    public DeviceRuntimeContext {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(attestation, "attestation");
        payload = payload == null || payload.isNull() ? null : payload.deepCopy();
    }

    /** The public side of an attestation: nothing for a symmetric key, certificate infos, TPM public keys. */
    public sealed interface PresentedAttestation {
        /** Sent as {@code "symmetricKey": {}}: the key is a secret. */
        record SymmetricKey() implements PresentedAttestation {
        }

        /** The leaf certificate the device registered with, as its info. */
        record X509(X509CertificateInfo clientCertificate) implements PresentedAttestation {
            public X509 {
                Objects.requireNonNull(clientCertificate, "clientCertificate");
            }
        }

        /** The TPM's endorsement key and storage root key (public keys, base64 TPM2B_PUBLIC); SRK may be null. */
        record Tpm(String endorsementKey, String storageRootKey) implements PresentedAttestation {
            public Tpm {
                Objects.requireNonNull(endorsementKey, "endorsementKey");
            }
        }
    }
}
