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
 * 429 or 503 with {@code retry-after} when the store is throttled or unavailable (§1.6), and a
 * generic 500 (with the cause logged, never returned) for anything unexpected. Each call writes one
 * structured line in its category: operation, instance, record id, status, error code, latency and tracking
 * id — never headers, bodies or exception messages, which can carry tokens, keys and certificates.
 */
public final class ApiCall {
    /** DPS's maximum message size (§8). */
    public static final int MAX_BODY_BYTES = 96 * 1024;
    /**
     * The {@code retry-after} of a 429 or 503 when nothing better is known: the 3 s real DPS sends (§1.7), inside
     * every SDK's accepted range (Java's 2–5 s, C's 1–300 s).
     */
    static final long DEFAULT_RETRY_AFTER_SECONDS = 3;
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
            ProvisioningException busy = storeUnavailable(operation, e, trackingId);
            response = error(busy, trackingId);
            errorCode = busy.errorCode().code();
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
        ApiResponse response = ApiResponse.json(e.httpStatus(), ErrorBody.of(e, trackingId, clock.instant()))
                .withHeader("x-ms-error-code", String.valueOf(e.errorCode().code()))
                .withHeader("x-ms-request-id", trackingId);
        if (e.httpStatus() == 429 || e.httpStatus() == 503) {
            // Lower case, as §1.7 asks (the C SDK looks it up case-sensitively); whole seconds, at least 1.
            long seconds = e instanceof RetryLater later && later.retryAfter != null
                    ? Math.max(1, later.retryAfter.plusMillis(999).toSeconds()) : DEFAULT_RETRY_AFTER_SECONDS;
            response = response.withHeader("retry-after", String.valueOf(seconds));
        }
        return response;
    }

    /**
     * DPS's 429 ({@code THROTTLED}) or 503 ({@code SERVICE_UNAVAILABLE}) for a store that could not serve the
     * call even after its adapter's retries, with the store's own retry-after if it gave one. The request was
     * valid and the store wrote nothing, so the client may send it again as it is. The store's message (status
     * codes and a record id, no secrets) goes to the log only.
     */
    ProvisioningException storeUnavailable(String operation, StoreUnavailableException e, String trackingId) {
        log.warning(operation + " could not be served by the store: " + e.getMessage() + " trackingId=" + trackingId);
        return retryLater(e);
    }

    /** As {@link #storeUnavailable}, without the log line: for one record of a bulk operation. */
    static ProvisioningException retryLater(StoreUnavailableException e) {
        ErrorCode code = e.throttled() ? ErrorCode.THROTTLED : ErrorCode.SERVICE_UNAVAILABLE;
        return new RetryLater(code, e.retryAfter().orElse(null), e);
    }

    /** A 429 or 503 that knows when to come back. */
    private static final class RetryLater extends ProvisioningException {
        private final transient Duration retryAfter;

        RetryLater(ErrorCode code, Duration retryAfter, Throwable cause) {
            super(code, code.defaultMessage(), cause);
            this.retryAfter = retryAfter;
        }
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
