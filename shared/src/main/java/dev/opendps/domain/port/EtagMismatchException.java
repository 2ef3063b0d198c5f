package dev.opendps.domain.port;

/** The stored record has another etag. */
public class EtagMismatchException extends StoreException {
    public EtagMismatchException(String message) {
        super(message);
    }
}
