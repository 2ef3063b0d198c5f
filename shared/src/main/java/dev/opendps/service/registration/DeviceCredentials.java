package dev.opendps.service.registration;

import java.util.List;

/**
 * What a device presented to authenticate (dps-protocol.md §2): a SAS token in {@code Authorization}
 * (symmetric key, or a TPM device's token signed with its imported key), a TLS client certificate, and for
 * TPM devices the public keys in the register body.
 *
 * @param clientCertificate      the TLS client leaf as base64 DER ({@code X-ARR-ClientCert}), or null
 * @param presentedCertificates  certificates the device sent after its leaf in the handshake (base64 DER); the
 *                               local host forwards them, App Service does not; they only help build a chain
 * @param endorsementKey         {@code tpm.endorsementKey} of the register body, or null
 * @param storageRootKey         {@code tpm.storageRootKey} of the register body, or null
 */
public record DeviceCredentials(String authorization, String clientCertificate, List<String> presentedCertificates,
                                String endorsementKey, String storageRootKey) {

    public DeviceCredentials {
        authorization = blankToNull(authorization);
        clientCertificate = blankToNull(clientCertificate);
        presentedCertificates = presentedCertificates == null ? List.of() : List.copyOf(presentedCertificates);
        endorsementKey = blankToNull(endorsementKey);
        storageRootKey = blankToNull(storageRootKey);
    }

    /** A token only, as polls and status lookups of symmetric-key and TPM devices carry. */
    public static DeviceCredentials token(String authorization) {
        return new DeviceCredentials(authorization, null, List.of(), null, null);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    @Override
    public String toString() {
        return "DeviceCredentials[" + (authorization != null ? "token " : "") + (clientCertificate != null ? "certificate " : "")
                + (endorsementKey != null ? "tpm" : "") + "]";
    }
}
