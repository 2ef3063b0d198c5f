package dev.opendps.service.registration;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;

/**
 * The answer to a TPM device's first register (dps-protocol.md §2.4): 401 whose body carries, at its root,
 * the activation blob as {@code authenticationKey} and the {@code keyName} the C SDK signs with.
 */
public final class TpmChallengeIssued extends ProvisioningException {
    public static final String KEY_NAME = "registration";

    private final String authenticationKey;

    TpmChallengeIssued(String authenticationKey) {
        super(ErrorCode.UNAUTHORIZED, "Activate the authentication key in the TPM and sign the next request with it.");
        this.authenticationKey = authenticationKey;
    }

    /** Base64 of the activation blob. */
    public String authenticationKey() {
        return authenticationKey;
    }
}
