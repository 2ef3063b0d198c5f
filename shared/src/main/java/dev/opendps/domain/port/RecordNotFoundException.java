package dev.opendps.domain.port;

/** No record has this id. */
public class RecordNotFoundException extends StoreException {
    public RecordNotFoundException(String message) {
        super(message);
    }
}
