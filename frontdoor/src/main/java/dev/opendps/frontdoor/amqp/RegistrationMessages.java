package dev.opendps.frontdoor.amqp;

import dev.opendps.api.ApiResponse;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import java.nio.BufferOverflowException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Section;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.message.Message;

/**
 * The request and response messages of DPS over AMQP (dps-protocol.md §3.2): requests name their operation in
 * application properties and carry the DeviceRegistration JSON in a data section; answers carry the
 * RegistrationOperationStatus JSON, the request's correlation-id and the polling interval under both keys the
 * SDKs read; errors reject the request with the DPS error body as the error description.
 */
final class RegistrationMessages {
    static final String OPERATION_TYPE = "iotdps-operation-type";
    static final String OPERATION_ID = "iotdps-operation-id";
    static final String REGISTER = "iotdps-register";
    static final String OPERATION_STATUS = "iotdps-get-operationstatus";
    /** Node and C read the lower-case key, C# the capitalised one (and in {@code error.info}). */
    static final String RETRY_AFTER = "retry-after";
    static final String RETRY_AFTER_CAPITALISED = "Retry-After";
    /** DPS's own polling interval (§1.7), for throttling answers that do not name one. */
    private static final int DEFAULT_RETRY_AFTER_SECONDS = 3;

    private RegistrationMessages() {
    }

    /** What a device asked: a register (with its body, maybe empty) or a poll of {@code operationId}. */
    record Request(String operation, String operationId, Object correlationId, byte[] body) {
    }

    /** Decodes a request; a message that is not one is the device's mistake (400). */
    static Request read(byte[] encoded, int length) {
        Message message = Message.Factory.create();
        try {
            message.decode(encoded, 0, length);
        } catch (RuntimeException malformed) {
            throw new ProvisioningException(ErrorCode.DESERIALIZATION_ERROR, "The AMQP message cannot be decoded.");
        }
        Map<String, Object> properties = message.getApplicationProperties() == null
                ? Map.of() : message.getApplicationProperties().getValue();
        Object operation = properties == null ? null : properties.get(OPERATION_TYPE);
        if (!(operation instanceof String type) || !(REGISTER.equals(type) || OPERATION_STATUS.equals(type))) {
            throw new ProvisioningException(ErrorCode.BAD_REQUEST, "The application property " + OPERATION_TYPE
                    + " must be " + REGISTER + " or " + OPERATION_STATUS + ".");
        }
        Object operationId = properties.get(OPERATION_ID);
        if (OPERATION_STATUS.equals(type) && !(operationId instanceof String id && !id.isBlank())) {
            throw new ProvisioningException(ErrorCode.BAD_REQUEST,
                    "A status request needs the application property " + OPERATION_ID + ".");
        }
        // Node matches answers on the correlation-id it set; a request/response client may set only a message-id.
        Object correlationId = message.getCorrelationId() != null ? message.getCorrelationId() : message.getMessageId();
        // Status requests' bodies are ignored: C resends the registration JSON, C# sends an AmqpValue (§1.4, §3.2).
        byte[] body = REGISTER.equals(type) ? body(message.getBody()) : new byte[0];
        return new Request(type, operationId instanceof String id ? id : null, correlationId, body);
    }

    private static byte[] body(Section section) {
        if (section == null) {
            return new byte[0];
        }
        if (section instanceof Data data) {
            return data.getValue() == null ? new byte[0] : copy(data.getValue());
        }
        if (section instanceof AmqpValue value) {
            if (value.getValue() instanceof String text) {
                return text.getBytes(StandardCharsets.UTF_8);
            }
            if (value.getValue() instanceof Binary binary) {
                return copy(binary);
            }
        }
        throw new ProvisioningException(ErrorCode.DESERIALIZATION_ERROR,
                "The register body must be the DeviceRegistration JSON in a data section.");
    }

    private static byte[] copy(Binary binary) {
        byte[] bytes = new byte[binary.getLength()];
        System.arraycopy(binary.getArray(), binary.getArrayOffset(), bytes, 0, bytes.length);
        return bytes;
    }

    /** The answer to {@code request}: the JSON body, its correlation-id and the polling interval under both keys. */
    static byte[] answer(Request request, ApiResponse response) {
        Message message = Message.Factory.create();
        message.setCorrelationId(request.correlationId());
        message.setContentType("application/json");
        message.setContentEncoding("utf-8");
        Map<String, Object> properties = new LinkedHashMap<>();
        retryAfter(response).ifPresent(seconds -> {
            properties.put(RETRY_AFTER, seconds);
            properties.put(RETRY_AFTER_CAPITALISED, seconds);
        });
        message.setApplicationProperties(new ApplicationProperties(properties));
        message.setBody(new Data(new Binary(response.body())));
        return encode(message, response.body().length + 512);
    }

    /**
     * The rejection of a request that failed: the DPS error body as {@code error.description} (C# reads the status
     * from {@code errorCode / 1000}), and {@code Retry-After} in {@code error.info} when it is worth retrying.
     */
    static Rejected rejection(ApiResponse response) {
        ErrorCondition error = new ErrorCondition(Symbol.valueOf(condition(response.status())),
                new String(response.body(), StandardCharsets.UTF_8));
        OptionalInt seconds = retryAfter(response);
        if (seconds.isEmpty() && (response.status() == 429 || response.status() == 503)) {
            seconds = OptionalInt.of(DEFAULT_RETRY_AFTER_SECONDS);
        }
        if (seconds.isPresent()) {
            error.setInfo(Map.of(Symbol.valueOf(RETRY_AFTER_CAPITALISED), seconds.getAsInt()));
        }
        Rejected rejected = new Rejected();
        rejected.setError(error);
        return rejected;
    }

    /** The AMQP error condition closest to an HTTP status; clients read the description, not this. */
    static String condition(int status) {
        return switch (status) {
            case 401, 403 -> "amqp:unauthorized-access";
            case 404 -> "amqp:not-found";
            case 413 -> "amqp:link:message-size-exceeded";
            case 429 -> "amqp:resource-limit-exceeded";
            default -> status >= 500 ? "amqp:internal-error" : "amqp:invalid-field";
        };
    }

    private static OptionalInt retryAfter(ApiResponse response) {
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            if (RETRY_AFTER.equalsIgnoreCase(header.getKey())) {
                try {
                    return OptionalInt.of(Integer.parseInt(header.getValue().strip()));
                } catch (NumberFormatException notSeconds) {
                    return OptionalInt.empty();
                }
            }
        }
        return OptionalInt.empty();
    }

    private static byte[] encode(Message message, int estimate) {
        byte[] buffer = new byte[estimate];
        while (true) {
            try {
                int length = message.encode(buffer, 0, buffer.length);
                return Arrays.copyOf(buffer, length);
            } catch (BufferOverflowException tooSmall) {
                buffer = new byte[buffer.length * 2];
            }
        }
    }
}
