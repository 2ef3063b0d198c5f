package dev.opendps.service;

import dev.opendps.domain.AccessRight;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.SharedAccessPolicy;
import dev.opendps.domain.auth.SharedAccessSignature;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Service API authentication (dps-protocol.md §4.1): a SAS token signed with a shared access policy key
 * over the instance host name, verified as sent (§2.1 rules), then the policy must grant the right.
 */
public final class ServiceAuthenticator {
    private final InstanceDirectory directory;
    private final Clock clock;
    private final Duration allowedSkew;

    public ServiceAuthenticator(InstanceDirectory directory, Clock clock, Duration allowedSkew) {
        this.directory = directory;
        this.clock = clock;
        this.allowedSkew = allowedSkew;
    }

    /** Who is calling and for which instance. */
    public record Caller(ProvisioningInstance instance, SharedAccessPolicy policy) {
    }

    /**
     * Authenticates a call. The instance is the one named by the Host header, or else by the token's
     * resource (a client may reach the endpoint by IP address); the signature decides either way.
     */
    public Caller authenticate(String hostHeader, String authorization, AccessRight required) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("The Authorization header is missing.");
        }
        SharedAccessSignature token = SharedAccessSignature.parse(authorization);
        try {
            return authenticate(hostHeader, token, required, false);
        } catch (ProvisioningException e) {
            // The cached instance may predate a policy or key just changed: decide again on the stored one.
            return authenticate(hostHeader, token, required, true);
        }
    }

    private Caller authenticate(String hostHeader, SharedAccessSignature token, AccessRight required, boolean fresh) {
        ProvisioningInstance instance = directory.byHostName(hostHeader, fresh)
                .or(() -> directory.byHostName(token.resourceDecoded(), fresh))
                .orElseThrow(() -> unauthorized("No provisioning service instance serves this host name."));
        if (!InstanceDirectory.hostOnly(token.resourceDecoded()).equals(instance.hostName().toLowerCase(java.util.Locale.ROOT))) {
            throw unauthorized("The token's resource is not this service's host name.");
        }
        if (token.isExpired(clock.instant(), allowedSkew)) {
            throw unauthorized("The token has expired.");
        }
        SharedAccessPolicy policy = signingPolicy(instance, token);
        if (!policy.grants(required)) {
            throw new ProvisioningException(ErrorCode.INSUFFICIENT_RIGHTS,
                    "The shared access policy '" + policy.keyName() + "' does not grant " + required + ".");
        }
        return new Caller(instance, policy);
    }

    /** The named policy when {@code skn} is given; otherwise any policy whose key signed the token. */
    private static SharedAccessPolicy signingPolicy(ProvisioningInstance instance, SharedAccessSignature token) {
        String keyName = token.keyName();
        List<SharedAccessPolicy> candidates = keyName == null || keyName.isEmpty()
                ? instance.policies()
                : instance.policy(keyName).map(List::of).orElse(List.of());
        for (SharedAccessPolicy policy : candidates) {
            if (token.isSignedByKey(policy.primaryKey()) || token.isSignedByKey(policy.secondaryKey())) {
                return policy;
            }
        }
        throw unauthorized("The token's signature is not valid for any key of this service.");
    }


    private static ProvisioningException unauthorized(String message) {
        return new ProvisioningException(ErrorCode.UNAUTHORIZED, message);
    }
}
