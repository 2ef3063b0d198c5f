package dev.opendps.domain.port;

/** The store did not answer in time or refused for load (throttled, unavailable), even after retries. */
public class StoreUnavailableException extends StoreException {
    public StoreUnavailableException(String message) {
        super(message);
    }
}
