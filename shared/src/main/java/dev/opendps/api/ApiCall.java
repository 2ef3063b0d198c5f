package dev.opendps.api;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.wire.ErrorBody;
import java.time.Clock;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one API call with the error discipline every endpoint shares (dps-protocol.md §1.8): a tracking id
 * that appears both in the log line and in the error body, DPS-shaped errors for client mistakes, and a
 * generic 500 (with the cause logged, never returned) for anything unexpected. Log lines name the
 * operation and outcome only: never headers or bodies, which carry tokens and keys.
 */
public final class ApiCall {
    /** DPS's maximum message size (§8). */
    public static final int MAX_BODY_BYTES = 96 * 1024;

    private final Logger log;
    private final Clock clock;

    public ApiCall(String category, Clock clock) {
        this.log = Logger.getLogger(category);
        this.clock = clock;
    }

    public ApiResponse run(String operation, ApiRequest request, Supplier<ApiResponse> work) {
        String trackingId = newTrackingId();
        try {
            checkBody(request);
            ApiResponse response = work.get();
            if (log.isLoggable(Level.FINE)) {
                log.fine(() -> operation + " " + response.status() + " trackingId=" + trackingId);
            }
            return response;
        } catch (ProvisioningException e) {
            log.info(() -> operation + " failed " + e.errorCode().code() + " trackingId=" + trackingId
                    + ": " + e.getMessage());
            return error(e, trackingId);
        } catch (RuntimeException e) {
            log.log(Level.SEVERE, operation + " failed with an internal error, trackingId=" + trackingId, e);
            return error(new ProvisioningException(ErrorCode.INTERNAL_ERROR), trackingId);
        }
    }

    public ApiResponse error(ProvisioningException e, String trackingId) {
        return ApiResponse.json(e.httpStatus(), ErrorBody.of(e, trackingId, clock.instant()))
                .withHeader("x-ms-error-code", String.valueOf(e.errorCode().code()))
                .withHeader("x-ms-request-id", trackingId);
    }

    static String newTrackingId() {
        return UUID.randomUUID().toString();
    }

    static void checkBody(ApiRequest request) {
        if (request.body().length > MAX_BODY_BYTES) {
            throw new ProvisioningException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "The request body exceeds the maximum message size of 96 KB.");
        }
        String contentType = request.header("Content-Type");
        if (request.hasBody() && contentType != null && !contentType.isBlank()
                && !contentType.toLowerCase(Locale.ROOT).contains("json")) {
            throw new ProvisioningException(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
        }
    }
}
