package dev.opendps.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.ProvisioningException;
import java.time.Instant;
import java.util.Map;

/** ProvisioningServiceErrorDetails (dps-protocol.md §1.8), the body of every error answer. */
public final class ErrorBody {
    private ErrorBody() {
    }

    public static ObjectNode of(ProvisioningException error, String trackingId, Instant now) {
        ObjectNode node = Json.object();
        node.put("errorCode", error.errorCode().code());
        node.put("trackingId", trackingId);
        node.put("message", error.getMessage());
        if (!error.info().isEmpty()) {
            ObjectNode info = node.putObject("info");
            for (Map.Entry<String, String> entry : error.info().entrySet()) {
                info.put(entry.getKey(), entry.getValue());
            }
        }
        node.put("timestampUtc", Timestamps.format(now));
        return node;
    }
}
