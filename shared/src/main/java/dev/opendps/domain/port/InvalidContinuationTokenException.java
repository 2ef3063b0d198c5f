package dev.opendps.domain.port;

/** The continuation token is not valid for this listing. */
public class InvalidContinuationTokenException extends StoreException {
    public InvalidContinuationTokenException(String message) {
        super(message);
    }
}
