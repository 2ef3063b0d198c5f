package dev.opendps.domain;

import java.util.Map;

/**
 * The one exception family of the domain: every failure a client can see carries a DPS error code,
 * which fixes the HTTP status and the {@code errorCode} of the error body (dps-protocol.md §1.8).
 * Messages never contain secrets or tokens: they are returned to clients and logged.
 */
public class ProvisioningException extends RuntimeException {
    private final ErrorCode errorCode;
    private final transient Map<String, String> info;

    public ProvisioningException(ErrorCode errorCode) {
        this(errorCode, errorCode.defaultMessage());
    }

    public ProvisioningException(ErrorCode errorCode, String message) {
        this(errorCode, message, Map.of(), null);
    }

    public ProvisioningException(ErrorCode errorCode, String message, Throwable cause) {
        this(errorCode, message, Map.of(), cause);
    }

    public ProvisioningException(ErrorCode errorCode, String message, Map<String, String> info, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
        this.info = Map.copyOf(info);
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    public int httpStatus() {
        return errorCode.httpStatus();
    }

    public Map<String, String> info() {
        return info;
    }
}
