package dev.opendps.allocation.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.wire.Json;

/** An HTTP answer of the allocation functions, independent of the Functions library: a status and a JSON body. */
public record WebhookAnswer(int status, ObjectNode body) {

    /** A non-2xx answer with {@code {"message":"…"}}. */
    public static WebhookAnswer refusal(int status, String message) {
        ObjectNode body = Json.object();
        body.put("message", message);
        return new WebhookAnswer(status, body);
    }

    public String bodyText() {
        return Json.string(body);
    }
}
