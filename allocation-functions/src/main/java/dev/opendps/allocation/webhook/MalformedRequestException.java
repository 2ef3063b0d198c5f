package dev.opendps.allocation.webhook;

/** A webhook or admin request the function cannot read: answered with 400 and this message. */
public class MalformedRequestException extends RuntimeException {
    public MalformedRequestException(String message) {
        super(message);
    }
}
