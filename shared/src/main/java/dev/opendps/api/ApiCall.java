package dev.opendps.api;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.port.ProvisioningMetrics;
import dev.opendps.domain.port.StoreUnavailableException;
import dev.opendps.wire.ErrorBody;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Runs one API call with the error discipline every endpoint shares (dps-protocol.md §1.8): a tracking id
 * that appears both in the log line and in the error body, DPS-shaped errors for client mistakes, and a
 * generic 500 (with the cause logged, never returned) for anything unexpected. Each call writes one
 * structured line in its category: operation, instance, record id, status, error code, latency and tracking
 * id — never headers, bodies or exception messages, which can carry tokens, keys and certificates.
 */
public final class ApiCall {
    /** DPS's maximum message size (§8). */
    public static final int MAX_BODY_BYTES = 96 * 1024;
    /** Compiled once: log lines are written on every call. */
    private static final Pattern NOT_PRINTABLE = Pattern.compile("[^\\x21-\\x7e]");
    /**
     * The ID scope the running call authenticated for. Authentication happens deep inside a call's work, and a
     * call runs on one thread from start to end, so the work can name its instance without every endpoint
     * passing it back.
     */
    private static final ThreadLocal<String> AUTHENTICATED_INSTANCE = new ThreadLocal<>();

    private final Logger log;
    private final Clock clock;
    private final ProvisioningMetrics metrics;

    public ApiCall(String category, Clock clock) {
        this(category, clock, ProvisioningMetrics.NONE);
    }

    public ApiCall(String category, Clock clock, ProvisioningMetrics metrics) {
        this.log = Logger.getLogger(category);
        this.clock = clock;
        this.metrics = metrics;
    }

    public ApiResponse run(String operation, ApiRequest request, Supplier<ApiResponse> work) {
        return run(operation, null, request, work);
    }

    /** Runs {@code work} on the record {@code recordId} (an enrollment, group, registration or certificate). */
    public ApiResponse run(String operation, String recordId, ApiRequest request, Supplier<ApiResponse> work) {
        long started = System.nanoTime();
        String trackingId = newTrackingId();
        AUTHENTICATED_INSTANCE.remove();
        ApiResponse response;
        Integer errorCode = null;
        try {
            checkBody(request);
            response = work.get();
        } catch (ProvisioningException e) {
            response = error(e, trackingId);
            errorCode = e.errorCode().code();
        } catch (StoreUnavailableException e) {
            // A store or the key-encryption key cannot serve the call for now (its message holds no secret).
            log.warning(operation + " could not be served now: " + e.getMessage() + ", trackingId=" + trackingId);
            response = error(new ProvisioningException(ErrorCode.SERVICE_UNAVAILABLE), trackingId);
            errorCode = ErrorCode.SERVICE_UNAVAILABLE.code();
        } catch (RuntimeException e) {
            log.log(Level.SEVERE, operation + " failed with an internal error, trackingId=" + trackingId, e);
            response = error(new ProvisioningException(ErrorCode.INTERNAL_ERROR), trackingId);
            errorCode = ErrorCode.INTERNAL_ERROR.code();
        }
        String instance = AUTHENTICATED_INSTANCE.get();
        AUTHENTICATED_INSTANCE.remove();
        long nanos = System.nanoTime() - started;
        metrics.serviceLatency(operation, response.status(), Duration.ofNanos(nanos));
        if (log.isLoggable(Level.INFO)) {
            log.info(operation + " instance=" + printable(instance) + " recordId=" + printable(recordId)
                    + " outcome=" + (response.status() < 400 ? "success" : "failure")
                    + " status=" + response.status()
                    + " errorCode=" + (errorCode == null ? "-" : errorCode)
                    + " latencyMs=" + String.format(Locale.ROOT, "%.3f", nanos / 1_000_000.0)
                    + " trackingId=" + trackingId);
        }
        return response;
    }

    /** Names the instance (ID scope) the running call authenticated for, in its log line. */
    static void authenticatedFor(String idScope) {
        AUTHENTICATED_INSTANCE.set(idScope);
    }

    public ApiResponse error(ProvisioningException e, String trackingId) {
        return ApiResponse.json(e.httpStatus(), ErrorBody.of(e, trackingId, clock.instant()))
                .withHeader("x-ms-error-code", String.valueOf(e.errorCode().code()))
                .withHeader("x-ms-request-id", trackingId);
    }

    static String newTrackingId() {
        return UUID.randomUUID().toString();
    }

    /** Ids come from the URL: keep log lines one line of printable text. */
    static String printable(String value) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        String bounded = value.length() > 128 ? value.substring(0, 128) : value;
        return NOT_PRINTABLE.matcher(bounded).replaceAll("?");
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
