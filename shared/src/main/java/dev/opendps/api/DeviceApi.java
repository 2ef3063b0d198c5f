package dev.opendps.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.RegistrationOperation;
import dev.opendps.domain.RegistrationStatus;
import dev.opendps.service.registration.DeviceCredentials;
import dev.opendps.service.registration.DeviceRegistrationService;
import dev.opendps.service.registration.TpmChallengeIssued;
import dev.opendps.service.registration.DeviceRegistrationService.RegisterRequest;
import dev.opendps.wire.DeviceRegistrationJson;
import dev.opendps.wire.Json;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The device registration API over HTTPS (dps-protocol.md §1), independent of the HTTP host. Register
 * always answers 202 (the C# SDK accepts nothing else), with the final state in the body when allocation
 * finished; polls answer 202 while assigning and 200 when terminal; {@code retry-after} goes out in lower
 * case (§1.7). Every call logs one line in the {@code DeviceOperations} category and reports its
 * server-side time in {@code Server-Timing}.
 */
public final class DeviceApi {
    static final String RETRY_AFTER_SECONDS = "3";
    private static final Logger LOG = Logger.getLogger("DeviceOperations");
    /** Compiled once: the log line is written on every device operation. */
    private static final java.util.regex.Pattern NOT_PRINTABLE = java.util.regex.Pattern.compile("[^\\x21-\\x7e]");

    /** The TLS client leaf, base64 DER, as App Service and the local host forward it. */
    public static final String CLIENT_CERTIFICATE = "X-ARR-ClientCert";
    /** The rest of the chain the client presented; only the local host can send it (it strips any client copy). */
    public static final String PRESENTED_CHAIN = "X-OpenDPS-ClientCert-Chain";

    private final DeviceRegistrationService service;
    private final ApiCall errors;

    public DeviceApi(DeviceRegistrationService service, java.time.Clock clock) {
        this.service = service;
        this.errors = new ApiCall("DeviceOperations", clock);
    }

    /** {@code PUT {idScope}/registrations/{registrationId}/register}. */
    public ApiResponse register(ApiRequest request, String idScope, String registrationId) {
        return handle("register", request, idScope, registrationId, () -> {
            ObjectNode body = registrationBody(request);
            JsonNode bodyId = body.get("registrationId");
            JsonNode tpm = body.path("tpm");
            DeviceCredentials credentials = new DeviceCredentials(request.header("Authorization"),
                    request.header(CLIENT_CERTIFICATE), presentedCertificates(request),
                    text(tpm.get("endorsementKey")), text(tpm.get("storageRootKey")));
            RegistrationOperation operation = service.register(new RegisterRequest(idScope, registrationId,
                    credentials, text(bodyId), payload(body.get("payload"))));
            return new Outcome(ApiResponse.json(202, DeviceRegistrationJson.operationStatus(operation),
                    Map.of("retry-after", RETRY_AFTER_SECONDS)), operation.registrationState());
        });
    }

    /** {@code GET {idScope}/registrations/{registrationId}/operations/{operationId}}; any body is ignored (Node sends {}). */
    public ApiResponse operationStatus(ApiRequest request, String idScope, String registrationId, String operationId) {
        return handle("operationStatus", request, idScope, registrationId, () -> {
            RegistrationOperation operation = service.operation(idScope, registrationId, operationId,
                    credentials(request));
            boolean running = operation.status() == RegistrationStatus.ASSIGNING
                    || operation.status() == RegistrationStatus.UNASSIGNED;
            ApiResponse response = ApiResponse.json(running ? 202 : 200, DeviceRegistrationJson.operationStatus(operation),
                    running ? Map.of("retry-after", RETRY_AFTER_SECONDS) : Map.of());
            return new Outcome(response, operation.registrationState());
        });
    }

    /** {@code POST {idScope}/registrations/{registrationId}}: the latest DeviceRegistrationResult, not wrapped. */
    public ApiResponse registrationStatus(ApiRequest request, String idScope, String registrationId) {
        return handle("registrationStatus", request, idScope, registrationId, () -> {
            DeviceRegistrationState state = service.registrationStatus(idScope, registrationId,
                    credentials(request));
            return new Outcome(ApiResponse.json(200, DeviceRegistrationJson.result(state)), state);
        });
    }

    private record Outcome(ApiResponse response, DeviceRegistrationState state) {
    }

    private ApiResponse handle(String operation, ApiRequest request, String idScope, String registrationId,
                               Supplier<Outcome> work) {
        long started = System.nanoTime();
        String trackingId = ApiCall.newTrackingId();
        ApiResponse response;
        DeviceRegistrationState state = null;
        Integer errorCode = null;
        try {
            ApiCall.checkBody(request);
            Outcome outcome = work.get();
            response = outcome.response();
            state = outcome.state();
            errorCode = state == null ? null : state.errorCode();
        } catch (TpmChallengeIssued challenge) {
            response = challenge(challenge, trackingId);
            errorCode = challenge.errorCode().code();
        } catch (ProvisioningException e) {
            response = errors.error(e, trackingId);
            errorCode = e.errorCode().code();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, operation + " failed with an internal error, trackingId=" + trackingId, e);
            response = errors.error(new ProvisioningException(ErrorCode.INTERNAL_ERROR), trackingId);
            errorCode = ErrorCode.INTERNAL_ERROR.code();
        }
        double millis = (System.nanoTime() - started) / 1_000_000.0;
        log(operation, idScope, registrationId, state, response.status(), errorCode, millis, trackingId);
        return response.withHeader("Server-Timing", String.format(Locale.ROOT, "dps;dur=%.3f", millis));
    }

    /** One structured line per device operation, with no token, key or body content. */
    private static void log(String operation, String idScope, String registrationId, DeviceRegistrationState state,
                            int httpStatus, Integer errorCode, double millis, String trackingId) {
        if (!LOG.isLoggable(Level.INFO)) {
            return;
        }
        StringBuilder line = new StringBuilder(200).append(operation)
                .append(" instance=").append(printable(idScope))
                .append(" registrationId=").append(printable(registrationId))
                .append(" attestation=").append(state == null ? "-" : state.attestationType())
                .append(" outcome=").append(state == null ? "http" + httpStatus : state.status().wireName())
                .append(" errorCode=").append(errorCode == null ? "-" : errorCode)
                .append(" hub=").append(state == null || state.assignedHub() == null ? "-" : state.assignedHub())
                .append(" latencyMs=").append(String.format(Locale.ROOT, "%.3f", millis))
                .append(" trackingId=").append(trackingId);
        LOG.info(line.toString());
    }

    /** Ids come from the URL: keep log lines one line of printable text. */
    private static String printable(String value) {
        if (value == null) {
            return "-";
        }
        String bounded = value.length() > 128 ? value.substring(0, 128) : value;
        return NOT_PRINTABLE.matcher(bounded).replaceAll("?");
    }

    /**
     * The TPM challenge (§2.4 step 3): 401 with {@code authenticationKey} and {@code keyName} at the root of
     * the error body, and no {@code status}, which is how the C SDK tells a challenge from a failure.
     */
    private ApiResponse challenge(TpmChallengeIssued challenge, String trackingId) {
        ApiResponse error = errors.error(challenge, trackingId);
        ObjectNode body = Json.parseObject(error.body());
        body.put("authenticationKey", challenge.authenticationKey());
        body.put("keyName", TpmChallengeIssued.KEY_NAME);
        return new ApiResponse(error.status(), error.headers(), Json.bytes(body));
    }

    /** Credentials of a poll or status lookup: a token or the TLS client certificate (no body is read). */
    private static DeviceCredentials credentials(ApiRequest request) {
        return new DeviceCredentials(request.header("Authorization"), request.header(CLIENT_CERTIFICATE),
                presentedCertificates(request), null, null);
    }

    /** Certificates after the leaf in the handshake, comma-separated base64 DER (the local host sends them). */
    private static List<String> presentedCertificates(ApiRequest request) {
        String chain = request.header(PRESENTED_CHAIN);
        if (chain == null || chain.isBlank()) {
            return List.of();
        }
        return Arrays.stream(chain.split(",")).map(String::strip).filter(c -> !c.isEmpty()).limit(8).toList();
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }

    /** The register body; SDKs always send one over HTTP, but an empty body is read as {}. */
    private static ObjectNode registrationBody(ApiRequest request) {
        return request.hasBody() ? Json.parseObject(request.body()) : Json.object();
    }

    /** The Java SDK sends the payload as a JSON string holding JSON (§1.4): read it as that JSON. */
    private static JsonNode payload(JsonNode payload) {
        if (payload == null || payload.isNull()) {
            return null;
        }
        if (payload.isTextual()) {
            try {
                return Json.mapper().readTree(payload.asText());
            } catch (IOException e) {
                return payload;
            }
        }
        return payload;
    }
}
