package dev.opendps.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.wire.ETags;
import dev.opendps.wire.Json;
import dev.opendps.wire.Timestamps;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * An in-memory stand-in for the part of IoT Hub's registry REST API that DPS calls (dps-protocol.md §7), over
 * HTTPS with a certificate for {@code 127.0.0.1} made at start. Each hub lives under a path prefix,
 * {@code https://127.0.0.1:{port}/{hubHostName}}, and is known from its connection string ({@link #addHub}).
 *
 * <p>Every request must carry a hub SAS signed with that hub's key for {@code sr = hubHostName} and naming its
 * policy in {@code skn}, or a {@code Bearer} token that {@link #acceptBearerTokens} accepts (Microsoft Entra
 * tokens, e.g. from {@link ManagedIdentityTestEndpoint}); else 401 with an IoT Hub error body. A hub added
 * without a key takes bearer tokens only. Implemented: {@code PUT/GET/DELETE
 * /devices/{id}} (409 on a create of an existing id, {@code If-Match} {@code *} or the etag, 412 on a
 * mismatch, 404 on an update or delete of a missing device, {@code DELETE} only with {@code If-Match}),
 * {@code GET/PATCH /twins/{id}} (merge patch of tags and desired properties, {@code If-Match} on the twin etag)
 * and {@code POST /devices/query} for {@code SELECT * FROM devices} with {@code x-ms-max-item-count} and
 * {@code x-ms-continuation}. Devices get an {@code etag} that changes on every write, and a {@code generationId}
 * that is the creation time in .NET ticks, as real hubs show it. {@link #failWith} and {@link #stall} make it
 * misbehave; {@link #authorizations()} lists the tokens it was sent.
 */
public final class IotHubTestServer implements AutoCloseable {
    private static final long TICKS_AT_EPOCH = 621_355_968_000_000_000L;
    private static final String NEVER = "0001-01-01T00:00:00Z";
    private static final int DEFAULT_PAGE_SIZE = 100;

    private final LoopbackServer server;
    private final SSLContext clientTls;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Hub> hubs = new ConcurrentHashMap<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicLong etags = new AtomicLong(1_000);
    private final AtomicLong lastTicks = new AtomicLong();
    private volatile int failureStatus;
    private volatile Duration stall = Duration.ZERO;
    private volatile Predicate<String> bearerTokens = token -> false;

    private IotHubTestServer(LoopbackServer server, SSLContext clientTls) {
        this.server = server;
        this.clientTls = clientTls;
    }

    /** Starts on a free port of 127.0.0.1 with a fresh self-signed certificate. */
    public static IotHubTestServer start() {
        LoopbackTls tls = LoopbackTls.create();
        IotHubTestServer hub = new IotHubTestServer(LoopbackServer.https("iothub-test-server", tls), tls.client());
        hub.server.route("/", hub::handle).start();
        return hub;
    }

    /**
     * Makes a hub known by its connection string: its host name, policy name and key; {@code HostName=…}
     * alone makes a hub that admits bearer tokens only.
     */
    public void addHub(String connectionString) {
        Map<String, String> parts = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String part : connectionString.split(";")) {
            int equals = part.indexOf('=');
            parts.put(part.substring(0, equals), part.substring(equals + 1));
        }
        String host = parts.get("HostName").toLowerCase(Locale.ROOT);
        String key = parts.get("SharedAccessKey");
        hubs.putIfAbsent(host, new Hub(host, parts.get("SharedAccessKeyName"),
                key == null ? null : SharedAccessSignature.decodeKey(key)));
    }

    /**
     * Every hub also admits {@code Authorization: Bearer <token>} for the tokens {@code valid} accepts, as a
     * hub admits Microsoft Entra tokens of an identity with a registry role.
     */
    public void acceptBearerTokens(Predicate<String> valid) {
        bearerTokens = valid;
    }

    /** Where a hub's registry is: {@code https://127.0.0.1:{port}/{hubHostName}}. */
    public URI baseUri(String hubHostName) {
        return URI.create("https://127.0.0.1:" + server.port() + "/"
                + hubHostName.toLowerCase(Locale.ROOT));
    }

    /** A client that trusts this server's certificate. */
    public HttpClient client() {
        return HttpClient.newBuilder().sslContext(clientTls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Answers every request with {@code status} and an IoT Hub error body, until {@link #behave()}. */
    public void failWith(int status) {
        failureStatus = status;
    }

    /** Holds every answer back for {@code delay}, until {@link #behave()}. */
    public void stall(Duration delay) {
        stall = delay;
    }

    public void behave() {
        failureStatus = 0;
        stall = Duration.ZERO;
    }

    /** The {@code Authorization} header of every request so far, in order. */
    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    @Override
    public void close() {
        server.close();
    }

    // --- requests ---------------------------------------------------------------------------------------

    private record Answer(int status, JsonNode body, Map<String, String> headers) {
        static Answer of(int status, JsonNode body) {
            return new Answer(status, body, Map.of());
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Answer answer;
            try {
                answer = answer(exchange);
            } catch (RuntimeException e) {
                answer = error(500, "ServerError", "The test server failed: " + e);
            }
            if (!stall.isZero()) {
                try {
                    Thread.sleep(stall.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            if (answer.body() == null) {
                exchange.sendResponseHeaders(answer.status(), -1);
                return;
            }
            byte[] bytes = Json.bytes(answer.body());
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private Answer answer(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(String.valueOf(authorization));
        if (failureStatus != 0) {
            return error(failureStatus, failureStatus == 429 ? "ThrottlingException" : "ServerBusy",
                    "The test server was told to fail.");
        }
        String[] segments = exchange.getRequestURI().getRawPath().split("/");
        if (segments.length < 3 || segments.length > 4) {
            return error(404, "NotFound", "No such resource.");
        }
        Hub hub = hubs.get(decode(segments[1]).toLowerCase(Locale.ROOT));
        if (hub == null) {
            return error(404, "IotHubNotFound", "No such hub.");
        }
        if (!hub.admits(authorization, clock.instant())) {
            return error(401, "IotHubUnauthorizedAccess", "Unauthorized");
        }
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null || !query.contains("api-version=")) {
            return error(400, "InvalidProtocolVersion", "The api-version query parameter is required.");
        }
        String method = exchange.getRequestMethod();
        String collection = segments[2];
        byte[] body = readBody(exchange.getRequestBody());
        String ifMatch = exchange.getRequestHeaders().getFirst("If-Match");
        synchronized (hub) {
            if (segments.length == 3) {
                return error(405, "MethodNotAllowed", "Not implemented by the test server.");
            }
            String id = decode(segments[3]);
            if (collection.equals("devices") && id.equals("query") && method.equals("POST")) {
                return hub.query(body, exchange.getRequestHeaders().getFirst("x-ms-max-item-count"),
                        exchange.getRequestHeaders().getFirst("x-ms-continuation"));
            }
            if (collection.equals("devices")) {
                return switch (method) {
                    case "PUT" -> hub.putDevice(id, body, ifMatch);
                    case "GET" -> hub.getDevice(id);
                    case "DELETE" -> hub.deleteDevice(id, ifMatch);
                    default -> error(405, "MethodNotAllowed", method + " is not implemented by the test server.");
                };
            }
            if (collection.equals("twins")) {
                return switch (method) {
                    case "GET" -> hub.getTwin(id);
                    case "PATCH" -> hub.patchTwin(id, body, ifMatch);
                    default -> error(405, "MethodNotAllowed", method + " is not implemented by the test server.");
                };
            }
            return error(404, "NotFound", "No such resource.");
        }
    }

    private static byte[] readBody(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    /** Percent-decoding of one path segment; {@code +} stays {@code +}. */
    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** IoT Hub's error body: {@code {"Message":"ErrorCode:…;…","ExceptionMessage":"Tracking ID:…"}}. */
    private Answer error(int status, String code, String message) {
        ObjectNode body = Json.object()
                .put("Message", "ErrorCode:" + code + ";" + message)
                .put("ExceptionMessage", "Tracking ID:" + UUID.randomUUID().toString().replace("-", "")
                        + "-G:0-TimeStamp:" + Timestamps.format(clock.instant()));
        return Answer.of(status, body);
    }

    private String newEtag() {
        return Base64.getEncoder().encodeToString(Long.toString(etags.incrementAndGet()).getBytes(StandardCharsets.UTF_8));
    }

    /** Creation time in .NET ticks, strictly increasing, so an id created again gets another generation. */
    private String newGenerationId() {
        Instant now = clock.instant();
        long ticks = TICKS_AT_EPOCH + now.getEpochSecond() * 10_000_000L + now.getNano() / 100;
        return Long.toString(lastTicks.updateAndGet(last -> Math.max(last + 1, ticks)));
    }

    private static boolean matches(String ifMatch, String etag) {
        String wanted = ETags.unquote(ifMatch);
        return "*".equals(wanted) || etag.equals(wanted);
    }

    // --- one hub ----------------------------------------------------------------------------------------

    private static final class Device {
        ObjectNode authentication;
        boolean iotEdge;
        String status;
        String etag;
        String generationId;
        String statusUpdatedTime = NEVER;
        ObjectNode tags = Json.object();
        ObjectNode desired = Json.object();
        String twinEtag;
        long desiredVersion = 1;
        String desiredLastUpdated;
    }

    private final class Hub {
        private final String hostName;
        private final String keyName;
        private final byte[] key;
        /** Ordered by id (case-sensitive, as IoT Hub ids are), which is the query order. */
        private final NavigableMap<String, Device> devices = new TreeMap<>();

        Hub(String hostName, String keyName, byte[] key) {
            this.hostName = hostName;
            this.keyName = keyName;
            this.key = key;
        }

        /**
         * A bearer token the server accepts, or a hub SAS (§7): for this hub's host name, signed with its key,
         * naming its policy, unexpired.
         */
        boolean admits(String authorization, Instant now) {
            if (authorization != null && authorization.startsWith("Bearer ")) {
                return bearerTokens.test(authorization.substring("Bearer ".length()));
            }
            if (key == null) {
                return false;
            }
            try {
                SharedAccessSignature token = SharedAccessSignature.parse(authorization);
                return token.resourceDecoded().equalsIgnoreCase(hostName)
                        && keyName.equals(token.keyName())
                        && token.isSignedBy(key)
                        && !token.isExpired(now, Duration.ZERO);
            } catch (ProvisioningException malformed) {
                return false;
            }
        }

        Answer putDevice(String id, byte[] body, String ifMatch) {
            ObjectNode request = Json.parseObject(body);
            if (!id.equals(request.path("deviceId").asText())) {
                return error(400, "ArgumentInvalid", "The deviceId in the body does not match the path.");
            }
            Device device = devices.get(id);
            if (ifMatch == null) {
                if (device != null) {
                    return error(409, "DeviceAlreadyExists", "A device with ID '" + id + "' is already registered.");
                }
                device = new Device();
                device.generationId = newGenerationId();
                device.twinEtag = newEtag();
                device.desiredLastUpdated = Timestamps.format(clock.instant());
                device.status = request.path("status").asText("enabled");
                devices.put(id, device);
            } else {
                if (device == null) {
                    return error(404, "DeviceNotFound", "The device with ID '" + id + "' does not exist.");
                }
                if (!matches(ifMatch, device.etag)) {
                    return error(412, "PreconditionFailed", "The etag does not match the device's.");
                }
                String status = request.path("status").asText("enabled");
                if (!status.equals(device.status)) {
                    device.status = status;
                    device.statusUpdatedTime = Timestamps.format(clock.instant());
                }
            }
            device.authentication = request.path("authentication").isObject()
                    ? (ObjectNode) request.get("authentication") : Json.object().put("type", "sas");
            device.iotEdge = request.path("capabilities").path("iotEdge").asBoolean(false);
            device.etag = newEtag();
            return Answer.of(200, deviceDocument(id, device));
        }

        Answer getDevice(String id) {
            Device device = devices.get(id);
            return device == null ? notFound(id) : Answer.of(200, deviceDocument(id, device));
        }

        Answer deleteDevice(String id, String ifMatch) {
            Device device = devices.get(id);
            if (device == null) {
                return notFound(id);
            }
            // The adapter promises to send If-Match, as DPS and the service SDKs do; hold it to that.
            if (ifMatch == null) {
                return error(400, "IfMatchHeaderRequired", "The If-Match header is required.");
            }
            if (!matches(ifMatch, device.etag)) {
                return error(412, "PreconditionFailed", "The etag does not match the device's.");
            }
            devices.remove(id);
            return Answer.of(204, null);
        }

        Answer getTwin(String id) {
            Device device = devices.get(id);
            return device == null ? notFound(id) : Answer.of(200, twinDocument(id, device));
        }

        Answer patchTwin(String id, byte[] body, String ifMatch) {
            Device device = devices.get(id);
            if (device == null) {
                return notFound(id);
            }
            if (ifMatch != null && !matches(ifMatch, device.twinEtag)) {
                return error(412, "PreconditionFailed", "The etag does not match the twin's.");
            }
            ObjectNode patch = Json.parseObject(body);
            if (patch.has("tags")) {
                merge(device.tags, patch.get("tags"));
            }
            JsonNode desired = patch.path("properties").get("desired");
            if (desired != null) {
                merge(device.desired, desired);
                device.desiredVersion++;
                device.desiredLastUpdated = Timestamps.format(clock.instant());
            }
            device.twinEtag = newEtag();
            return Answer.of(200, twinDocument(id, device));
        }

        /** {@code SELECT * FROM devices} only; the continuation token is the base64 of the last id returned. */
        Answer query(byte[] body, String maxItemCount, String continuation) {
            String query = Json.parseObject(body).path("query").asText("");
            if (!query.trim().replaceAll("\\s+", " ").equalsIgnoreCase("SELECT * FROM devices")) {
                return error(400, "SqlQueryInvalid", "The test server answers only SELECT * FROM devices.");
            }
            int pageSize = maxItemCount == null ? DEFAULT_PAGE_SIZE : Integer.parseInt(maxItemCount);
            NavigableMap<String, Device> rest = devices;
            if (continuation != null) {
                String after;
                try {
                    after = new String(Base64.getUrlDecoder().decode(continuation), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return error(400, "InvalidContinuationToken", "The continuation token is not valid.");
                }
                rest = devices.tailMap(after, false);
            }
            ArrayNode page = Json.array();
            String last = null;
            for (Map.Entry<String, Device> entry : rest.entrySet()) {
                if (page.size() == pageSize) {
                    break;
                }
                page.add(twinDocument(entry.getKey(), entry.getValue()));
                last = entry.getKey();
            }
            boolean more = last != null && devices.higherKey(last) != null;
            Map<String, String> headers = more
                    ? Map.of("x-ms-continuation",
                    Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(StandardCharsets.UTF_8)),
                    "x-ms-item-type", "twin")
                    : Map.of("x-ms-item-type", "twin");
            return new Answer(200, page, headers);
        }

        private Answer notFound(String id) {
            return error(404, "DeviceNotFound", "The device with ID '" + id + "' does not exist.");
        }

        /** As the registry shows a device: both credential kinds, the unused one with null values. */
        private ObjectNode deviceDocument(String id, Device device) {
            ObjectNode node = Json.object();
            node.put("deviceId", id);
            node.put("generationId", device.generationId);
            node.put("etag", device.etag);
            node.put("connectionState", "Disconnected");
            node.put("status", device.status);
            node.putNull("statusReason");
            node.put("connectionStateUpdatedTime", NEVER);
            node.put("statusUpdatedTime", device.statusUpdatedTime);
            node.put("lastActivityTime", NEVER);
            node.put("cloudToDeviceMessageCount", 0);
            ObjectNode authentication = node.putObject("authentication");
            authentication.put("type", device.authentication.path("type").asText("sas"));
            ObjectNode keys = authentication.putObject("symmetricKey");
            keys.set("primaryKey", device.authentication.path("symmetricKey").path("primaryKey"));
            keys.set("secondaryKey", device.authentication.path("symmetricKey").path("secondaryKey"));
            ObjectNode thumbprints = authentication.putObject("x509Thumbprint");
            thumbprints.set("primaryThumbprint", device.authentication.path("x509Thumbprint").path("primaryThumbprint"));
            thumbprints.set("secondaryThumbprint",
                    device.authentication.path("x509Thumbprint").path("secondaryThumbprint"));
            nullForMissing(keys);
            nullForMissing(thumbprints);
            node.putObject("capabilities").put("iotEdge", device.iotEdge);
            return node;
        }

        private ObjectNode twinDocument(String id, Device device) {
            ObjectNode node = Json.object();
            node.put("deviceId", id);
            node.put("etag", device.twinEtag);
            node.put("deviceEtag", device.etag);
            node.put("status", device.status);
            node.put("statusUpdateTime", device.statusUpdatedTime);
            node.put("connectionState", "Disconnected");
            node.put("lastActivityTime", NEVER);
            node.put("cloudToDeviceMessageCount", 0);
            node.put("authenticationType", device.authentication.path("type").asText("sas"));
            node.put("version", device.desiredVersion + 1);
            if (!device.tags.isEmpty()) {
                node.set("tags", device.tags.deepCopy());
            }
            ObjectNode properties = node.putObject("properties");
            ObjectNode desired = properties.putObject("desired");
            desired.setAll(device.desired.deepCopy());
            desired.putObject("$metadata").put("$lastUpdated", device.desiredLastUpdated);
            desired.put("$version", device.desiredVersion);
            ObjectNode reported = properties.putObject("reported");
            reported.putObject("$metadata").put("$lastUpdated", device.desiredLastUpdated);
            reported.put("$version", 1);
            node.putObject("capabilities").put("iotEdge", device.iotEdge);
            return node;
        }
    }

    private static void nullForMissing(ObjectNode node) {
        List<String> missing = new ArrayList<>();
        node.fields().forEachRemaining(field -> {
            if (field.getValue().isMissingNode()) {
                missing.add(field.getKey());
            }
        });
        missing.forEach(node::putNull);
    }

    /** RFC 7386: a null removes the key, an object merges into an object, anything else replaces. */
    private static void merge(ObjectNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            JsonNode existing = target.get(field.getKey());
            if (value.isNull()) {
                target.remove(field.getKey());
            } else if (value.isObject() && existing != null && existing.isObject()) {
                merge((ObjectNode) existing, value);
            } else if (value.isObject()) {
                ObjectNode fresh = Json.object();
                merge(fresh, value);
                target.set(field.getKey(), fresh);
            } else {
                target.set(field.getKey(), value.deepCopy());
            }
        }
    }
}
