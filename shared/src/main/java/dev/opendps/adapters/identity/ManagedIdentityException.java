package dev.opendps.adapters.identity;

/**
 * The managed identity's endpoint gave no token. {@link #refused()}: it said no (an unknown identity, a wrong
 * identity header), which asking again will not change; otherwise it was unreachable, slow, failing or answered
 * without a token. The message names the identity, the resource and what the endpoint answered, never a token or
 * the identity header.
 */
public final class ManagedIdentityException extends RuntimeException {
    private final String identityName;
    private final String reason;
    private final boolean refused;

    ManagedIdentityException(String identityName, String resource, String reason, boolean refused, Throwable cause) {
        super("Could not get a token for " + resource + " from " + identityName + ": " + reason, cause);
        this.identityName = identityName;
        this.reason = reason;
        this.refused = refused;
    }

    /** {@code the user-assigned managed identity <client id>}, or the system-assigned one. */
    public String identityName() {
        return identityName;
    }

    /** What went wrong, e.g. {@code the identity endpoint answered 400: …}. */
    public String reason() {
        return reason;
    }

    public boolean refused() {
        return refused;
    }
}
