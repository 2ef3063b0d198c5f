package dev.opendps.adapters.identity;

/**
 * The identity endpoint gave no token: it {@link #refused() refused} (no such identity, a wrong header: a
 * configuration problem) or failed (unreachable, slow, an error or an answer without a token: try again later).
 * The message says what the endpoint answered, never a token or the identity header.
 */
public final class ManagedIdentityException extends RuntimeException {
    private final boolean refused;

    ManagedIdentityException(boolean refused, String message, Throwable cause) {
        super(message, cause);
        this.refused = refused;
    }

    /** True if the endpoint refused (4xx other than 408 and 429), false if it failed or could not be reached. */
    public boolean refused() {
        return refused;
    }
}
