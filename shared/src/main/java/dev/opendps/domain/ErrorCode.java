package dev.opendps.domain;

/**
 * DPS error codes: six digits whose first three are the HTTP status (dps-protocol.md §1.8).
 * Codes seen from real DPS keep their value; the rest are this project's, stable once released.
 */
public enum ErrorCode {
    BAD_REQUEST(400001, "The request is invalid."),
    INVALID_ARGUMENT(400004, "A field of the request is invalid."),
    INVALID_REGISTRATION_ID(400005, "The registration id is invalid."),
    INVALID_ENROLLMENT_GROUP_ID(400006, "The enrollment group id is invalid."),
    INVALID_DEVICE_ID(400007, "The device id is invalid."),
    INVALID_SYMMETRIC_KEY(400008, "The symmetric key is invalid."),
    INVALID_CERTIFICATE(400009, "The certificate is invalid."),
    INVALID_ENDORSEMENT_KEY(400010, "The TPM key is invalid."),
    ID_MISMATCH(400011, "The id in the body does not match the id in the path."),
    DESERIALIZATION_ERROR(400012, "Deserialization error."),
    INVALID_ATTESTATION(400013, "The attestation mechanism is invalid."),
    INVALID_BULK_OPERATION(400014, "The bulk operation is invalid."),
    INVALID_QUERY(400015, "The query is invalid."),
    INVALID_ETAG(400016, "The etag is invalid."),
    INVALID_CERTIFICATE_NAME(400017, "The certificate name is invalid."),
    /** A verification certificate that does not prove possession of a registered CA's private key. */
    CERTIFICATE_VERIFICATION_FAILED(400018, "The verification certificate does not prove possession of the CA key."),
    CUSTOM_ALLOCATION_FAILED(400207, "Custom allocation failed."),
    NO_HUB(400208, "No IoT hub could be assigned."),
    HUB_UNAUTHORIZED(400209, "Unauthorized at the IoT hub."),
    UNAUTHORIZED(401002, "Unauthorized."),
    INSUFFICIENT_RIGHTS(401003, "The shared access policy does not grant the access right."),
    REGISTRATION_NOT_FOUND(404201, "The registration was not found."),
    ENROLLMENT_NOT_FOUND(404202, "The enrollment was not found."),
    ENROLLMENT_GROUP_NOT_FOUND(404203, "The enrollment group was not found."),
    OPERATION_NOT_FOUND(404204, "The operation was not found."),
    INSTANCE_NOT_FOUND(404205, "No provisioning service instance serves this host name or ID scope."),
    CERTIFICATE_NOT_FOUND(404206, "The certificate was not found."),
    NOT_FOUND(404001, "The resource was not found."),
    METHOD_NOT_ALLOWED(405001, "The method is not allowed on this resource."),
    ALREADY_EXISTS(409201, "The record already exists; send If-Match with its etag to replace it."),
    CONFLICT(409202, "The request conflicts with the current state."),
    PRECONDITION_FAILED(412001, "The etag does not match the current record."),
    PAYLOAD_TOO_LARGE(413001, "The request body exceeds the maximum message size."),
    UNSUPPORTED_MEDIA_TYPE(415001, "The content type is not supported; send application/json."),
    THROTTLED(429001, "Operations are being throttled for this tenant."),
    INTERNAL_ERROR(500001, "Internal server error."),
    SERVICE_UNAVAILABLE(503001, "The service is temporarily unavailable.");

    private final int code;
    private final String defaultMessage;

    ErrorCode(int code, String defaultMessage) {
        this.code = code;
        this.defaultMessage = defaultMessage;
    }

    public int code() {
        return code;
    }

    /** The HTTP status is the first three digits of the code (§1.8). */
    public int httpStatus() {
        return code / 1000;
    }

    public String defaultMessage() {
        return defaultMessage;
    }

    public boolean isClientError() {
        return httpStatus() < 500;
    }
}
