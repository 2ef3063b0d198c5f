package dev.opendps.domain;

/** How devices of an enrollment prove who they are (§4.4 AttestationMechanism). */
public sealed interface Attestation
        permits SymmetricKeyAttestation, X509Attestation, TpmAttestation {

    /** The wire name of the type: {@code symmetricKey}, {@code x509} or {@code tpm}. */
    String type();
}
