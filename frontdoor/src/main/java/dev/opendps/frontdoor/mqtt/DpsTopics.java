package dev.opendps.frontdoor.mqtt;

import dev.opendps.domain.ErrorCode;
import java.util.Optional;

/**
 * The MQTT names of DPS device registration (dps-protocol.md §3.1): the CONNECT username, the topics a device
 * publishes requests on, the response topics it subscribes to, and the topic of each answer.
 */
final class DpsTopics {
    /** What devices subscribe to; DPS grants at most QoS 1. */
    static final String RESPONSES = "$dps/registrations/res/#";
    private static final String REQUEST_PREFIX = "$dps/registrations/";
    private static final String RESPONSE_PREFIX = "$dps/registrations/res/";
    private static final String REGISTER = "PUT/iotdps-register";
    private static final String OPERATION_STATUS = "GET/iotdps-get-operationstatus";

    private DpsTopics() {
    }

    /**
     * The device a CONNECT names in its username, {@code {idScope}/registrations/{registrationId}/api-version=…}.
     *
     * @param javaSdk whether the username is the Java device SDK's: it alone sends its api-version again as its
     *                {@code ClientVersion} (sdk-wire-notes.md), e.g. {@code api-version=2019-03-31&ClientVersion=2019-03-31}
     */
    record DeviceName(String idScope, String registrationId, boolean javaSdk) {
        /**
         * Only the part before {@code /api-version=} is read (§3.1): what follows differs by SDK (Java repeats the
         * api-version as its ClientVersion, Node sends its user agent, the docs send nothing).
         */
        static Optional<DeviceName> parse(String username) {
            if (username == null) {
                return Optional.empty();
            }
            int end = username.indexOf("/api-version=");
            String[] parts = (end < 0 ? username : username.substring(0, end)).split("/", -1);
            if (parts.length != 3 || parts[0].isEmpty() || !parts[1].equals("registrations") || parts[2].isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new DeviceName(parts[0], parts[2], end >= 0 && isJavaSdk(username.substring(end + 1))));
        }

        private static boolean isJavaSdk(String versions) {
            String apiVersion = null;
            String clientVersion = null;
            for (String pair : versions.split("&")) {
                if (pair.startsWith("api-version=")) {
                    apiVersion = pair.substring("api-version=".length());
                } else if (pair.startsWith("ClientVersion=")) {
                    clientVersion = pair.substring("ClientVersion=".length());
                }
            }
            return apiVersion != null && !apiVersion.isEmpty() && apiVersion.equals(clientVersion);
        }
    }

    /** A request a device published, by topic. */
    sealed interface Request {
        /** The request id, echoed verbatim in the answer's topic. */
        String rid();
    }

    /** {@code $dps/registrations/PUT/iotdps-register/?$rid={rid}}; the payload is the DeviceRegistration JSON. */
    record Register(String rid) implements Request {
    }

    /** {@code $dps/registrations/GET/iotdps-get-operationstatus/?$rid={rid}&operationId={id}}; payload ignored. */
    record OperationStatus(String rid, String operationId) implements Request {
    }

    /** A topic in the DPS request space with a request id, but no operation DPS knows: answered with this error. */
    record Unknown(String rid, ErrorCode error, String message) implements Request {
    }

    /**
     * The request a topic names, or empty if it names none that could be answered: outside
     * {@code $dps/registrations/}, or without a {@code $rid} to answer on.
     */
    static Optional<Request> request(String topic) {
        if (topic == null || !topic.startsWith(REQUEST_PREFIX)) {
            return Optional.empty();
        }
        int query = topic.indexOf("/?", REQUEST_PREFIX.length());
        if (query < 0) {
            return Optional.empty();
        }
        String operation = topic.substring(REQUEST_PREFIX.length(), query);
        String rid = parameter(topic, query + 2, "$rid");
        if (rid == null || rid.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(switch (operation) {
            case REGISTER -> new Register(rid);
            case OPERATION_STATUS -> {
                String operationId = parameter(topic, query + 2, "operationId");
                yield operationId == null || operationId.isEmpty()
                        ? new Unknown(rid, ErrorCode.BAD_REQUEST, "An operation status request names its operationId.")
                        : new OperationStatus(rid, operationId);
            }
            default -> new Unknown(rid, ErrorCode.NOT_FOUND,
                    "DPS answers register (PUT/iotdps-register) and operation status "
                            + "(GET/iotdps-get-operationstatus) requests only.");
        });
    }

    /** The value of query parameter {@code name} (exact, not decoded: ids are echoed as sent). */
    private static String parameter(String topic, int from, String name) {
        for (String pair : topic.substring(from).split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).equals(name)) {
                return pair.substring(equals + 1);
            }
        }
        return null;
    }

    /**
     * The topic of an answer: {@code $dps/registrations/res/{status}/?$rid={rid}[&retry-after={seconds}]}, with
     * {@code $rid} first and no other {@code $} (Python splits the topic on {@code $}; C# matches it by regex).
     */
    static String response(int status, String rid, String retryAfter) {
        StringBuilder topic = new StringBuilder(RESPONSE_PREFIX.length() + rid.length() + 32)
                .append(RESPONSE_PREFIX).append(status).append("/?$rid=").append(rid);
        if (retryAfter != null && !retryAfter.isBlank()) {
            topic.append("&retry-after=").append(retryAfter.strip());
        }
        return topic.toString();
    }

    /**
     * Whether a subscription with this filter receives every answer: {@code $dps/registrations/res/#} as the
     * SDKs send it, or a wider filter such as {@code $dps/#}. A filter for some answers only is not granted.
     */
    static boolean coversResponses(String filter) {
        return matches(filter, response(200, "1", null)) && matches(filter, response(429, "x", "3"));
    }

    /**
     * MQTT 3.1.1 topic matching (§4.7): {@code +} matches one level, a final {@code #} any number; a filter that
     * starts with a wildcard matches no topic that starts with {@code $}. A malformed filter matches nothing.
     */
    static boolean matches(String filter, String topic) {
        String[] filterLevels = filter.split("/", -1);
        String[] topicLevels = topic.split("/", -1);
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        for (int i = 0; i < filterLevels.length; i++) {
            String level = filterLevels[i];
            if (level.equals("#")) {
                return i == filterLevels.length - 1;
            }
            if (level.contains("#") || (level.contains("+") && !level.equals("+"))) {
                return false;
            }
            if (i >= topicLevels.length || (!level.equals("+") && !level.equals(topicLevels[i]))) {
                return false;
            }
        }
        return filterLevels.length == topicLevels.length;
    }
}
