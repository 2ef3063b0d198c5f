package dev.opendps.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.RegistrationOperation;
import dev.opendps.domain.RegistrationStatus;
import dev.opendps.domain.port.ProvisioningMetrics;
import dev.opendps.domain.port.ProvisioningMetrics.DeviceOperation;
import dev.opendps.domain.port.StoreUnavailableException;
import dev.opendps.service.registration.DeviceCredentials;
import dev.opendps.service.registration.DeviceRegistrationService;
import dev.opendps.service.registration.TpmChallengeIssued;
import dev.opendps.service.registration.DeviceRegistrationService.RegisterRequest;
import dev.opendps.wire.DeviceRegistrationJson;
import dev.opendps.wire.Json;
import java.io.IOException;
import java.time.Duration;
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

    /** The TLS client leaf, base64 DER, as App Service and the local host forward it. */
    public static final String CLIENT_CERTIFICATE = "X-ARR-ClientCert";
    /** The rest of the chain the client presented; only the local host can send it (it strips any client copy). */
    public static final String PRESENTED_CHAIN = "X-OpenDPS-ClientCert-Chain";

    private final DeviceRegistrationService service;
    private final ApiCall errors;
    private final ProvisioningMetrics metrics;

    public DeviceApi(DeviceRegistrationService service, java.time.Clock clock) {
        this(service, clock, ProvisioningMetrics.NONE);
    }

    /** With attestations, registrations, assignments and latencies counted in {@code metrics}. */
    public DeviceApi(DeviceRegistrationService service, java.time.Clock clock, ProvisioningMetrics metrics) {
        this.service = service;
        this.errors = new ApiCall("DeviceOperations", clock);
        this.metrics = metrics;
    }

    /** {@code PUT {idScope}/registrations/{registrationId}/register}. */
    public ApiResponse register(ApiRequest request, String idScope, String registrationId) {
        return handle(DeviceOperation.REGISTER, request, idScope, registrationId, () -> {
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
        return handle(DeviceOperation.POLL, request, idScope, registrationId, () -> {
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
        return handle(DeviceOperation.STATUS, request, idScope, registrationId, () -> {
            DeviceRegistrationState state = service.registrationStatus(idScope, registrationId,
                    credentials(request));
            return new Outcome(ApiResponse.json(200, DeviceRegistrationJson.result(state)), state);
        });
    }

    /**
     * Whether the request's SAS token is good for {@code registrationId}, without registering (the check the
     * front door makes when an AMQP device authenticates with SASL, dps-protocol.md §3.2): 204 when it is, the
     * DPS error (401) otherwise. Logged in DeviceOperations as {@code authenticate}; not counted in
     * the registration metrics, which the register that follows counts.
     */
    public ApiResponse authenticate(ApiRequest request, String idScope, String registrationId) {
        return errors.run("authenticate", registrationId, request, () -> {
            service.authenticateToken(idScope, registrationId, request.header("Authorization"));
            return ApiResponse.empty(204);
        });
    }

    /**
     * A device connecting over MQTT or AMQP (§3): its credentials checked as far as they can be without a store
     * (see {@link DeviceRegistrationService#checkConnection}). 204 if the connection may open, else the 401.
     */
    public ApiResponse checkConnection(ApiRequest request, String idScope, String registrationId) {
        return errors.run("DeviceConnect", registrationId, request, () -> {
            service.checkConnection(idScope, registrationId, credentials(request));
            return ApiResponse.empty(204);
        });
    }

    private record Outcome(ApiResponse response, DeviceRegistrationState state) {
    }

    private ApiResponse handle(DeviceOperation operation, ApiRequest request, String idScope, String registrationId,
                               Supplier<Outcome> work) {
        long started = System.nanoTime();
        String trackingId = ApiCall.newTrackingId();
        ApiResponse response;
        DeviceRegistrationState state = null;
        Integer errorCode = null;
        boolean challenged = false;
        try {
            ApiCall.checkBody(request);
            Outcome outcome = work.get();
            response = outcome.response();
            state = outcome.state();
            errorCode = state == null ? null : state.errorCode();
        } catch (TpmChallengeIssued challenge) {
            response = challenge(challenge, trackingId);
            challenged = true;
            errorCode = challenge.errorCode().code();
        } catch (ProvisioningException e) {
            response = errors.error(e, trackingId);
            errorCode = e.errorCode().code();
        } catch (StoreUnavailableException e) {
            // Throttled or unavailable store: 429/503 with retry-after, which every SDK but Java's retries (§1.6).
            ProvisioningException busy = errors.storeUnavailable(operation.tag(), e, trackingId);
            response = errors.error(busy, trackingId);
            errorCode = busy.errorCode().code();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, operation.tag() + " failed with an internal error, trackingId=" + trackingId, e);
            response = errors.error(new ProvisioningException(ErrorCode.INTERNAL_ERROR), trackingId);
            errorCode = ErrorCode.INTERNAL_ERROR.code();
        }
        long nanos = System.nanoTime() - started;
        double millis = nanos / 1_000_000.0;
        String scope = scopeLabel(idScope, errorCode);
        if (!challenged) {
            count(operation, request, scope, state, response.status());
        }
        metrics.deviceLatency(operation, scope, Duration.ofNanos(nanos));
        log(operation.tag(), idScope, registrationId, state, response.status(), errorCode, millis, trackingId);
        return response.withHeader("Server-Timing", String.format(Locale.ROOT, "dps;dur=%.3f", millis));
    }

    /**
     * DPS's counters, on register only: polls and status lookups repeat what register decided. Allocation
     * finishes within the register call, so the assignment is counted there. A TPM challenge is the first
     * half of an attestation and counts neither way; errors that are not 401 (a malformed body, an unknown
     * ID scope, an internal error) are registration attempts ending in {@code error}, not attestations.
     */
    private void count(DeviceOperation operation, ApiRequest request, String scope, DeviceRegistrationState state,
                       int httpStatus) {
        if (operation != DeviceOperation.REGISTER) {
            return;
        }
        String attestation = state != null ? state.attestationType() : presentedAttestation(request);
        if (state != null || httpStatus == 401) {
            metrics.attestationAttempt(scope, attestation, state != null);
        }
        metrics.registrationAttempt(scope, attestation, state == null ? "error" : state.status().wireName());
        if (state != null && state.status() == RegistrationStatus.ASSIGNED && state.assignedHub() != null) {
            metrics.deviceAssignment(scope, attestation, state.assignedHub());
        }
    }

    /** ID scopes that name no instance share one label value, so a caller cannot grow the metrics without bound. */
    private static String scopeLabel(String idScope, Integer errorCode) {
        return errorCode != null && errorCode == ErrorCode.INSTANCE_NOT_FOUND.code() ? "unknown"
                : ApiCall.printable(idScope);
    }

    /** The attestation a register attempted, read as the service reads it: TPM keys, else a token, else a certificate. */
    private static String presentedAttestation(ApiRequest request) {
        if (request.hasBody()) {
            try {
                if (registrationBody(request).path("tpm").hasNonNull("endorsementKey")) {
                    return "tpm";
                }
            } catch (RuntimeException malformed) {
                return "unknown";
            }
        }
        if (request.header("Authorization") != null) {
            return "symmetricKey";
        }
        return request.header(CLIENT_CERTIFICATE) != null ? "x509" : "none";
    }

    /** One structured line per device operation, with no token, key or body content. */
    private static void log(String operation, String idScope, String registrationId, DeviceRegistrationState state,
                            int httpStatus, Integer errorCode, double millis, String trackingId) {
        if (!LOG.isLoggable(Level.INFO)) {
            return;
        }
        StringBuilder line = new StringBuilder(200).append(operation)
                .append(" instance=").append(ApiCall.printable(idScope))
                .append(" registrationId=").append(ApiCall.printable(registrationId))
                .append(" attestation=").append(state == null ? "-" : state.attestationType())
                .append(" outcome=").append(state == null ? "http" + httpStatus : state.status().wireName())
                .append(" errorCode=").append(errorCode == null ? "-" : errorCode)
                .append(" hub=").append(state == null || state.assignedHub() == null ? "-" : state.assignedHub())
                .append(" latencyMs=").append(String.format(Locale.ROOT, "%.3f", millis))
                .append(" trackingId=").append(trackingId);
        LOG.info(line.toString());
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
