package dev.opendps.adapters.iothub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.adapters.RemoteText;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.port.HubAccessDeniedException;
import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.HubRegistryException;
import dev.opendps.domain.port.HubUnavailableException;
import dev.opendps.domain.port.InvalidContinuationTokenException;
import dev.opendps.domain.port.Page;
import dev.opendps.wire.Json;
import dev.opendps.wire.StorageCodecs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The identity registries of real IoT hubs, through IoT Hub's registry REST API (dps-protocol.md §7,
 * option B; api-version {@value #API_VERSION}): {@code PUT /devices/{id}} for the identity, then
 * {@code PATCH /twins/{id}} for tags and desired properties; {@code GET} both to find; {@code DELETE
 * /devices/{id}}; {@code POST /devices/query} to list.
 *
 * <p>Failures are domain exceptions: 401/403 {@link HubAccessDeniedException} (DPS 400209), 429, 5xx and
 * timeouts {@link HubUnavailableException}, anything else {@link HubRegistryException}; each message says
 * what the hub answered, never a key or token. A device is named by its hub's host name in lower case.
 */
public final class IotHubRegistry implements HubRegistry {
    public static final String API_VERSION = "2021-04-12";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Rounds of identity writes while the device is deleted under them, and of twin patches refused with 412. */
    static final int MAX_ATTEMPTS = 16;
    /** Consistent reads of identity and twin {@link #find} tries while a write lands between them. */
    private static final int MAX_READS = 4;
    private static final int MAX_MESSAGE_CHARACTERS = 300;
    private static final String QUERY_ALL = "SELECT * FROM devices";
    private static final Logger LOG = Logger.getLogger(IotHubRegistry.class.getName());

    private final HttpClient http;
    private final HubCredentials credentials;
    private final Function<String, URI> baseUris;
    private final Duration timeout;

    /**
     * @param http        the client (its connect timeout and TLS trust are the caller's)
     * @param credentials where each call's {@code Authorization} comes from
     * @param baseUris    a hub's base URI from its lower-case host name; in production
     *                    {@link #httpsBaseUri}
     * @param timeout     how long one call may wait for the hub's answer
     */
    public IotHubRegistry(HttpClient http, HubCredentials credentials, Function<String, URI> baseUris,
                          Duration timeout) {
        this.http = Objects.requireNonNull(http, "http");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.baseUris = Objects.requireNonNull(baseUris, "baseUris");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("The hub timeout must be positive.");
        }
    }

    /**
     * Production wiring: {@code https://{hostName}}, {@code timeout} to connect and to answer, each hub's
     * credentials as configured ({@link LinkedHubCredentials}): connection-string SAS, or {@code managedIdentity}
     * (empty: the app has none).
     */
    public static IotHubRegistry create(Duration timeout, Optional<ManagedIdentityCredentials> managedIdentity) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
        HubCredentials credentials = new LinkedHubCredentials(new ConnectionStringCredentials(),
                managedIdentity.orElse(null));
        return new IotHubRegistry(http, credentials, IotHubRegistry::httpsBaseUri, timeout);
    }

    public static URI httpsBaseUri(String hostName) {
        return URI.create("https://" + hostName);
    }

    /**
     * Creates the identity (a {@code PUT} without {@code If-Match}) or, when the hub answers 409, replaces it
     * ({@code If-Match: "*"}, which keeps its {@code generationId} and creation time), then brings the twin to
     * the device's tags and desired properties with a patch computed from the twin just read and sent on its
     * etag (412: read and patch again).
     *
     * <p>Racing registrations of one device: the last identity write wins. A writer sees from the twin's
     * {@code deviceEtag} that a later one replaced the identity it wrote, leaves the twin to that writer and
     * returns what the hub holds; so they end in one identity with that writer's twin, and no writer repeats
     * its identity write (which would make them overtake each other without end).
     */
    @Override
    public HubDevice createOrUpdate(LinkedHub hub, HubDevice device) {
        Target target = target(hub);
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(device.deviceId(), "deviceId");
        ObjectNode identity = StorageCodecs.hubIdentityDocument(device);
        String devicePath = "/devices/" + PathSegments.encode(device.deviceId());
        String twinPath = "/twins/" + PathSegments.encode(device.deviceId());
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            HubResponse put = call(target, "PUT", devicePath, null, identity, null, null);
            if (put.status() == 409) {
                put = call(target, "PUT", devicePath, "\"*\"", identity, null, null);
                if (put.status() == 404) {
                    continue; // deleted since our create was refused: create it again
                }
            }
            ObjectNode written = expectObject(target, "PUT " + devicePath, put, 200, 201);
            Optional<HubDevice> result = writeTwin(target, twinPath, written, device);
            if (result.isPresent()) {
                return result.get();
            }
            // The device was deleted between our calls: write it again.
        }
        throw new HubRegistryException(target.hostName(), "Could not create or update the device '"
                + device.deviceId() + "' in IoT hub " + target.hostName() + ": it was deleted under each of "
                + MAX_ATTEMPTS + " attempts.");
    }

    /** The twin part of {@link #createOrUpdate} for the identity {@code written}; empty if the device is gone. */
    private Optional<HubDevice> writeTwin(Target target, String twinPath, ObjectNode written, HubDevice device) {
        String deviceEtag = HubDocuments.etag(written);
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            HubResponse read = call(target, "GET", twinPath, null, null, null, null);
            if (read.status() == 404) {
                return Optional.empty();
            }
            ObjectNode twin = expectObject(target, "GET " + twinPath, read, 200);
            if (!HubDocuments.twinBelongsTo(twin, deviceEtag)) {
                return superseded(target, device.deviceId());
            }
            ObjectNode patch = HubDocuments.twinPatch(twin, device.tags(), device.desiredProperties());
            if (patch == null) {
                return Optional.of(HubDocuments.hubDevice(target.hostName(), written, twin));
            }
            HubResponse patched = call(target, "PATCH", twinPath, "\"" + HubDocuments.etag(twin) + "\"", patch,
                    null, null);
            if (patched.status() == 404) {
                return Optional.empty();
            }
            if (patched.status() == 412) {
                continue; // another writer patched the twin since we read it: read again
            }
            twin = expectObject(target, "PATCH " + twinPath, patched, 200);
            if (!HubDocuments.twinBelongsTo(twin, deviceEtag)) {
                return superseded(target, device.deviceId());
            }
            return Optional.of(HubDocuments.hubDevice(target.hostName(), written, twin));
        }
        throw new HubRegistryException(target.hostName(), "Could not update the twin of device '"
                + device.deviceId() + "' in IoT hub " + target.hostName() + ": other writers changed it under each of "
                + MAX_ATTEMPTS + " attempts.");
    }

    /** A later registration replaced the identity: it will write the twin; report what the hub holds now. */
    private Optional<HubDevice> superseded(Target target, String deviceId) {
        return find(target.hub(), deviceId);
    }

    @Override
    public Optional<HubDevice> find(LinkedHub hub, String deviceId) {
        Target target = target(hub);
        Objects.requireNonNull(deviceId, "deviceId");
        String devicePath = "/devices/" + PathSegments.encode(deviceId);
        String twinPath = "/twins/" + PathSegments.encode(deviceId);
        HubDevice lastRead = null;
        for (int read = 1; read <= MAX_READS; read++) {
            HubResponse identity = call(target, "GET", devicePath, null, null, null, null);
            if (identity.status() == 404) {
                return Optional.empty();
            }
            ObjectNode device = expectObject(target, "GET " + devicePath, identity, 200);
            HubResponse twinResponse = call(target, "GET", twinPath, null, null, null, null);
            if (twinResponse.status() == 404) {
                return Optional.empty();
            }
            ObjectNode twin = expectObject(target, "GET " + twinPath, twinResponse, 200);
            lastRead = HubDocuments.hubDevice(target.hostName(), device, twin);
            if (HubDocuments.twinBelongsTo(twin, HubDocuments.etag(device))) {
                return Optional.of(lastRead);
            }
        }
        return Optional.of(lastRead);
    }

    /** {@code If-Match: "*"}: unconditional, as DPS deletes what it created; 404 means already gone. */
    @Override
    public void delete(LinkedHub hub, String deviceId) {
        Target target = target(hub);
        String path = "/devices/" + PathSegments.encode(Objects.requireNonNull(deviceId, "deviceId"));
        HubResponse response = call(target, "DELETE", path, "\"*\"", null, null, null);
        if (response.status() != 404 && (response.status() < 200 || response.status() > 299)) {
            throw failure(target, "DELETE " + path, response);
        }
    }

    /**
     * Pages of the hub's device query, the hub's {@code x-ms-continuation} passed through as the token. The
     * query returns twins, which hold no keys, so each device's identity is read too; a device deleted
     * in between is left out of the page.
     */
    @Override
    public Page<HubDevice> list(LinkedHub hub, int maxItems, String continuationToken) {
        Target target = target(hub);
        ObjectNode query = Json.object().put("query", QUERY_ALL);
        String path = "/devices/query";
        HubResponse response = call(target, "POST", path, null, query,
                maxItems > 0 ? Integer.toString(maxItems) : null, continuationToken);
        if (response.status() == 400 && continuationToken != null) {
            throw new InvalidContinuationTokenException("IoT hub " + target.hostName()
                    + " did not accept the continuation token: " + HubDocuments.hubMessage(response.body()));
        }
        JsonNode twins = expect(target, "POST " + path, response, 200);
        if (!twins.isArray()) {
            throw new HubRegistryException(target.hostName(), "IoT hub " + target.hostName()
                    + " answered POST " + path + " with something other than a JSON array.");
        }
        List<HubDevice> devices = new ArrayList<>();
        for (JsonNode twin : (ArrayNode) twins) {
            String deviceId = twin.path("deviceId").asText(null);
            if (deviceId == null || !twin.isObject()) {
                continue;
            }
            String devicePath = "/devices/" + PathSegments.encode(deviceId);
            HubResponse identity = call(target, "GET", devicePath, null, null, null, null);
            if (identity.status() == 404) {
                continue;
            }
            ObjectNode device = expectObject(target, "GET " + devicePath, identity, 200);
            if (HubDocuments.twinBelongsTo((ObjectNode) twin, HubDocuments.etag(device))) {
                devices.add(HubDocuments.hubDevice(target.hostName(), device, (ObjectNode) twin));
            } else {
                find(hub, deviceId).ifPresent(devices::add);
            }
        }
        String next = response.header("x-ms-continuation");
        return new Page<>(devices, next == null || next.isBlank() ? null : next);
    }

    // --- HTTP -------------------------------------------------------------------------------------------

    private record Target(LinkedHub hub, String hostName, String baseUri) {
    }

    private Target target(LinkedHub hub) {
        Objects.requireNonNull(hub, "hub");
        String host = hub.hostName().toLowerCase(Locale.ROOT);
        String base = baseUris.apply(host).toString();
        return new Target(hub, host, base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    }

    private record HubResponse(int status, HttpResponse<byte[]> raw, byte[] body) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private HubResponse call(Target target, String method, String path, String ifMatch, JsonNode body,
                             String maxItemCount, String continuation) {
        String authorization;
        try {
            authorization = credentials.authorization(target.hub());
        } catch (IllegalArgumentException e) {
            throw new HubAccessDeniedException(target.hostName(),
                    "DPS has no usable credentials for IoT hub " + target.hostName() + ": " + e.getMessage());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(target.baseUri() + path + "?api-version=" + API_VERSION))
                .timeout(timeout)
                .header("Authorization", authorization)
                .header("Accept", "application/json");
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        if (maxItemCount != null) {
            request.header("x-ms-max-item-count", maxItemCount);
        }
        if (continuation != null) {
            request.header("x-ms-continuation", continuation);
        }
        if (body != null) {
            request.header("Content-Type", "application/json; charset=utf-8")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        long started = System.nanoTime();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new HubUnavailableException(target.hostName(), "IoT hub " + target.hostName()
                    + " did not answer " + method + " " + path + " within " + timeout.toMillis() + " ms.", e);
        } catch (IOException e) {
            throw new HubUnavailableException(target.hostName(), "IoT hub " + target.hostName()
                    + " could not be reached for " + method + " " + path + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + RemoteText.sanitize(e.getMessage())), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubUnavailableException(target.hostName(), "Interrupted while calling IoT hub "
                    + target.hostName() + ".", e);
        }
        if (LOG.isLoggable(Level.FINE)) {
            // Method, path and status only: headers carry the token.
            LOG.fine(method + " " + path + " at " + target.hostName() + ": " + response.statusCode() + " in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
        return new HubResponse(response.statusCode(), response, response.body());
    }

    private static ObjectNode expectObject(Target target, String operation, HubResponse response, int... ok) {
        JsonNode node = expect(target, operation, response, ok);
        if (!node.isObject()) {
            throw new HubRegistryException(target.hostName(), "IoT hub " + target.hostName() + " answered "
                    + operation + " with something other than a JSON object.");
        }
        return (ObjectNode) node;
    }

    private static JsonNode expect(Target target, String operation, HubResponse response, int... ok) {
        for (int status : ok) {
            if (response.status() == status) {
                try {
                    return Json.mapper().readTree(response.body());
                } catch (IOException e) {
                    throw new HubRegistryException(target.hostName(), "IoT hub " + target.hostName()
                            + " answered " + operation + " with a body that is not JSON.");
                }
            }
        }
        throw failure(target, operation, response);
    }

    private static HubRegistryException failure(Target target, String operation, HubResponse response) {
        int status = response.status();
        String message = "IoT hub " + target.hostName() + " answered " + status + " to " + operation + ": "
                + HubDocuments.hubMessage(response.body());
        if (status == 401 || status == 403) {
            return new HubAccessDeniedException(target.hostName(), message);
        }
        if (status == 429 || status >= 500) {
            return new HubUnavailableException(target.hostName(), message);
        }
        return new HubRegistryException(target.hostName(), message);
    }
}
