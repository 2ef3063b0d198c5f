package dev.opendps.domain.port;

/** A record with this id already exists. */
public class RecordAlreadyExistsException extends StoreException {
    public RecordAlreadyExistsException(String message) {
        super(message);
    }
}
