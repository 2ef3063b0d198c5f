package dev.opendps.service.registration;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.TpmAttestation;
import dev.opendps.domain.TpmChallenge;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.domain.port.EnrollmentStore;
import dev.opendps.domain.port.RecordAlreadyExistsException;
import dev.opendps.domain.port.TpmChallengeStore;
import dev.opendps.domain.tpm.ActivationBlob;
import dev.opendps.domain.tpm.TpmPublic;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TPM attestation (dps-protocol.md §2.4, §6.2: individual enrollments only). A register without a token
 * is challenged: the device gets an activation blob that only the TPM holding the enrolled endorsement key
 * can open, wrapping a fresh HMAC key for its storage root key; it proves possession by signing its next
 * register, and its polls, with that key. On assignment it gets a second blob with the same key, which is
 * also its hub identity's SAS key (§2.4 step 6, §7), so tokens it signs for the hub verify there.
 */
final class TpmAttestationCheck {
    /** How long a device has, after its challenge, to register and poll with the key it imported. */
    static final Duration CHALLENGE_LIFETIME = Duration.ofHours(1);
    private static final int KEY_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EnrollmentStore enrollments;
    private final TpmChallengeStore challenges;
    private final Clock clock;

    TpmAttestationCheck(EnrollmentStore enrollments, TpmChallengeStore challenges, Clock clock) {
        this.enrollments = enrollments;
        this.challenges = challenges;
        this.clock = clock;
    }

    /**
     * A register carrying TPM keys. Without a token it ends in {@link TpmChallengeIssued}; with one it is the
     * device's match, whose second activation blob goes back in the assigned result.
     */
    DeviceCredentialMatch register(String idScope, String registrationId,
                                   DeviceCredentials credentials, SharedAccessSignature token) {
        IndividualEnrollment enrollment = enrollmentOf(idScope, registrationId);
        TpmAttestation enrolled = (TpmAttestation) enrollment.settings().attestation();
        TpmPublic endorsementKey = TpmPublic.parseBase64(credentials.endorsementKey());
        if (!endorsementKey.equals(TpmPublic.parseBase64(enrolled.endorsementKey()))) {
            throw DeviceTokens.unauthorized("The endorsement key is not the one enrolled for this registration id.");
        }
        if (credentials.storageRootKey() == null) {
            throw DeviceTokens.unauthorized("The register request carries no tpm.storageRootKey.");
        }
        TpmPublic storageRootKey = TpmPublic.parseBase64(credentials.storageRootKey());
        // encUriData is arbitrary data (dps-protocol.md §2.4; DrsServer puts a URI there): the ID scope, 11 bytes,
        // names the instance and keeps the blob at about 810 bytes whatever the host name and registration id, so
        // it fits the two TPM SASL segments the Java SDK reads over AMQP (§3.2).
        String uriData = idScope;
        if (token == null) {
            byte[] key = new byte[KEY_BYTES];
            RANDOM.nextBytes(key);
            String blob = activationBlob(endorsementKey, storageRootKey, key, uriData);
            keep(idScope, new TpmChallenge(registrationId, credentials.storageRootKey(),
                    Base64.getEncoder().encodeToString(key), clock.instant().plus(CHALLENGE_LIFETIME), null));
            throw new TpmChallengeIssued(blob);
        }
        TpmChallenge challenge = verify(idScope, registrationId, token);
        if (!TpmPublic.parseBase64(challenge.storageRootKey()).equals(storageRootKey)) {
            throw DeviceTokens.unauthorized("The storage root key differs from the one the device was challenged for.");
        }
        byte[] key = Base64.getDecoder().decode(challenge.key());
        return new DeviceCredentialMatch(enrollment, null, "tpm",
                HubDevice.Authentication.sas(challenge.key(), secondaryKey(key)), null,
                activationBlob(endorsementKey, storageRootKey, key, uriData));
    }

    /** Whether the registration id belongs to a TPM enrollment, whose tokens {@link #authenticate} checks. */
    boolean isTpmDevice(String idScope, String registrationId) {
        return enrollments.find(idScope, registrationId)
                .filter(e -> e.settings().attestation() instanceof TpmAttestation)
                .isPresent();
    }

    /** A poll or status lookup: the token must be signed with the key of the device's current challenge. */
    void authenticate(String idScope, String registrationId, SharedAccessSignature token) {
        enrollmentOf(idScope, registrationId);
        verify(idScope, registrationId, token);
    }

    private IndividualEnrollment enrollmentOf(String idScope, String registrationId) {
        return enrollments.find(idScope, registrationId)
                .filter(e -> e.settings().attestation() instanceof TpmAttestation)
                .orElseThrow(() -> DeviceTokens.unauthorized("No TPM enrollment has this registration id."));
    }

    private TpmChallenge verify(String idScope, String registrationId, SharedAccessSignature token) {
        Instant now = clock.instant();
        TpmChallenge challenge = challenges.find(idScope, registrationId)
                .filter(c -> c.expiresAtUtc() == null || !c.expiresAtUtc().isBefore(now))
                .orElseThrow(() -> DeviceTokens.unauthorized(
                        "No challenge is outstanding for this device: register without a token first."));
        if (!token.isSignedByKey(challenge.key())) {
            throw DeviceTokens.unauthorized("The token is not signed with the key the device was challenged to import.");
        }
        return challenge;
    }

    /** The newest challenge replaces any earlier one; a device that lost the race just registers again. */
    private void keep(String idScope, TpmChallenge challenge) {
        Optional<TpmChallenge> current = challenges.find(idScope, challenge.registrationId());
        try {
            if (current.isPresent()) {
                challenges.replace(idScope, challenge.withVersion(current.get().version()), null);
            } else {
                challenges.create(idScope, challenge);
            }
        } catch (RecordAlreadyExistsException raced) {
            challenges.replace(idScope, challenge, null);
        }
        if (RANDOM.nextInt(64) == 0) {
            challenges.deleteExpired(clock.instant());
        }
    }

    private static String activationBlob(TpmPublic endorsementKey, TpmPublic storageRootKey, byte[] key,
                                         String uriData) {
        try {
            return Base64.getEncoder().encodeToString(ActivationBlob.build(endorsementKey.tpm2bPublic(),
                    storageRootKey.tpm2bPublic(), key, uriData.getBytes(StandardCharsets.UTF_8), RANDOM));
        } catch (IllegalArgumentException unsupported) {
            throw new ProvisioningException(ErrorCode.UNAUTHORIZED,
                    "The TPM keys cannot be used for activation: " + unsupported.getMessage());
        }
    }

    /** The hub identity needs a secondary key too; the device only ever signs with the primary. */
    private static String secondaryKey(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal("secondary".getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
