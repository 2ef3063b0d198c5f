package dev.opendps.domain.port;

/** Failures a store reports in domain terms; the services turn them into DPS error codes. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
