package dev.opendps.allocation;

import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatusType;
import dev.opendps.allocation.webhook.WebhookAnswer;
import java.util.Optional;

/** Maps between the Functions HTTP types and the host-independent answers, in one place for every function. */
final class FunctionHttp {
    private FunctionHttp() {
    }

    static String body(HttpRequestMessage<Optional<String>> request) {
        return request.getBody() == null ? null : request.getBody().orElse(null);
    }

    static HttpResponseMessage response(HttpRequestMessage<Optional<String>> request, WebhookAnswer answer) {
        return request.createResponseBuilder(HttpStatusType.custom(answer.status()))
                .header("Content-Type", "application/json; charset=utf-8")
                .body(answer.bodyText())
                .build();
    }
}
