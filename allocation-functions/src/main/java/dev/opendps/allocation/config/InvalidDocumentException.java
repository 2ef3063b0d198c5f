package dev.opendps.allocation.config;

/**
 * A configuration or records document that cannot be used as written; the message says where and why, and
 * never quotes secret values. Allocation refuses with it rather than failing with a 500.
 */
public class InvalidDocumentException extends RuntimeException {
    public InvalidDocumentException(String message) {
        super(message);
    }
}
