package dev.opendps.frontdoor;

import dev.opendps.api.ApiCall;
import dev.opendps.api.ApiRequest;
import dev.opendps.api.ApiResponse;
import dev.opendps.api.DeviceApi;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where every transport of the front door hands a device's request to the registration core: the very
 * {@link DeviceApi} the HTTP functions call (same attestation, allocation, state, limits, logs and metrics), fed an
 * {@link ApiRequest} made from what the protocol carried. Calls block (stores, hubs, allocation webhooks), so they
 * run on a bounded worker pool, never on a network event loop; when the pool and its queue are full the device is
 * answered 429 (throttled), as DPS answers a flood.
 */
public final class DeviceGateway implements AutoCloseable {
    /** The api-version the SDKs send over MQTT and AMQP (sdk-wire-notes.md). */
    public static final String API_VERSION = "2019-03-31";
    /** The wait a throttled device is told, as the core tells a device to wait between polls (§1.7). */
    static final String RETRY_AFTER_SECONDS = "3";

    private final DeviceApi api;
    private final ThreadPoolExecutor workers;
    private final ApiCall errors;

    public DeviceGateway(DeviceApi api, int workerThreads, int queueLength, Clock clock) {
        this.api = Objects.requireNonNull(api, "api");
        AtomicInteger count = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(workerThreads, workerThreads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueLength), runnable -> {
                    Thread thread = new Thread(runnable, "frontdoor-worker-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
        this.workers.allowCoreThreadTimeOut(true);
        this.errors = new ApiCall("DeviceOperations", clock);
    }

    /**
     * How a device proved who it is on its connection: a SAS token (MQTT password, SASL PLAIN or TPM SASL) and/or
     * the certificate chain it presented in the TLS handshake (leaf first).
     */
    public record Credentials(String sasToken, List<X509Certificate> clientChain) {
        public Credentials {
            clientChain = clientChain == null ? List.of() : List.copyOf(clientChain);
        }

        public static Credentials of(String sasToken, List<X509Certificate> clientChain) {
            return new Credentials(sasToken == null || sasToken.isEmpty() ? null : sasToken, clientChain);
        }

        @Override
        public String toString() {
            return "Credentials[token=" + (sasToken == null ? "none" : "present") + ", certificates="
                    + clientChain.size() + "]";
        }
    }

    /** Register (dps-protocol.md §1.1 {@code PUT …/register}); {@code body} is the DeviceRegistration JSON, maybe empty. */
    public CompletableFuture<ApiResponse> register(String idScope, String registrationId, Credentials credentials,
                                                   byte[] body) {
        ApiRequest request = request("PUT", credentials, body);
        return submit(() -> api.register(request, idScope, registrationId));
    }

    /** Operation status (§1.1 {@code GET …/operations/{operationId}}); a poll's payload is ignored. */
    public CompletableFuture<ApiResponse> operationStatus(String idScope, String registrationId, String operationId,
                                                          Credentials credentials) {
        ApiRequest request = request("GET", credentials, null);
        return submit(() -> api.operationStatus(request, idScope, registrationId, operationId));
    }

    /**
     * Checks a SAS token for the registration id without registering ({@link DeviceApi#authenticate}): 204 when
     * it is good, the DPS error otherwise. For protocols that authenticate when the connection opens (AMQP SASL).
     */
    public CompletableFuture<ApiResponse> authenticate(String idScope, String registrationId, String sasToken) {
        ApiRequest request = request("POST", Credentials.of(sasToken, List.of()), null);
        return submit(() -> api.authenticate(request, idScope, registrationId));
    }

    /**
     * The check a device's credentials pass when it connects (dps-protocol.md §3: MQTT CONNECT, AMQP SASL): 204, or
     * the 401 to refuse the connection with. It reads no store and tries no key, so it runs on the caller's thread
     * (an event loop); the attestation itself happens at register.
     */
    public ApiResponse checkConnection(String idScope, String registrationId, Credentials credentials) {
        return api.checkConnection(request("CONNECT", credentials, null), idScope, registrationId);
    }

    /** A DPS error body (§1.8) for a request the transport itself refuses before it reaches the core. */
    public ApiResponse error(ErrorCode code, String message) {
        return errors.error(new ProvisioningException(code, message), UUID.randomUUID().toString());
    }

    private CompletableFuture<ApiResponse> submit(java.util.function.Supplier<ApiResponse> call) {
        try {
            return CompletableFuture.supplyAsync(call, workers);
        } catch (RejectedExecutionException busy) {
            // 429 with retry-after (§1.6): the SDKs that retry wait that long.
            return CompletableFuture.completedFuture(error(ErrorCode.THROTTLED,
                    "Too many registrations in progress on this front door; retry later.")
                    .withHeader("retry-after", RETRY_AFTER_SECONDS));
        }
    }

    private static ApiRequest request(String method, Credentials credentials, byte[] body) {
        Map<String, String> headers = new HashMap<>();
        if (credentials.sasToken() != null) {
            headers.put("Authorization", credentials.sasToken());
        }
        List<X509Certificate> chain = credentials.clientChain();
        if (!chain.isEmpty()) {
            headers.put(DeviceApi.CLIENT_CERTIFICATE, base64(chain.get(0)));
            List<String> rest = new ArrayList<>();
            for (X509Certificate certificate : chain.subList(1, chain.size())) {
                rest.add(base64(certificate));
            }
            if (!rest.isEmpty()) {
                headers.put(DeviceApi.PRESENTED_CHAIN, String.join(",", rest));
            }
        }
        if (body != null && body.length > 0) {
            headers.put("Content-Type", "application/json");
        }
        return new ApiRequest(method, headers, Map.of("api-version", API_VERSION), body);
    }

    private static String base64(X509Certificate certificate) {
        try {
            return Base64.getEncoder().encodeToString(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("The client certificate cannot be encoded", e);
        }
    }

    @Override
    public void close() {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
