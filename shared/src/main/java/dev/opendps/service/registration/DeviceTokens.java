package dev.opendps.service.registration;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.auth.SharedAccessSignature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The checks every device SAS token passes before any key is tried (dps-protocol.md §2.1): it names
 * {@code {idScope}/registrations/{registrationId}} and is unexpired within a bounded lifetime. Symmetric-key
 * and TPM devices sign the same kind of token, with different keys.
 */
final class DeviceTokens {
    private final Clock clock;
    private final Duration allowedSkew;
    private final Duration maxLifetime;

    DeviceTokens(Clock clock, Duration allowedSkew, Duration maxLifetime) {
        this.clock = clock;
        this.allowedSkew = allowedSkew;
        this.maxLifetime = maxLifetime;
    }

    /** Parses and checks the token's resource and lifetime, without looking at any key yet. */
    SharedAccessSignature token(String authorization, String idScope, String registrationId) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("The Authorization header is missing.");
        }
        SharedAccessSignature token = SharedAccessSignature.parse(authorization);
        String expected = (idScope + "/registrations/" + registrationId).toLowerCase(Locale.ROOT);
        String resource = token.resourceDecoded().toLowerCase(Locale.ROOT);
        // Some clients prefix the resource with the endpoint host; the scope and id must still match exactly.
        if (!resource.equals(expected) && !resource.endsWith("/" + expected)) {
            throw unauthorized("The token was not issued for this ID scope and registration id.");
        }
        Instant now = clock.instant();
        if (token.isExpired(now, allowedSkew)) {
            throw unauthorized("The token has expired.");
        }
        if (token.lifetimeExceeds(now, maxLifetime)) {
            throw unauthorized("The token's expiry is too far in the future.");
        }
        return token;
    }

    /** Every attestation failure is the same 401, so a caller learns nothing about which enrollments exist. */
    static ProvisioningException unauthorized(String message) {
        return new ProvisioningException(ErrorCode.UNAUTHORIZED, message);
    }
}
