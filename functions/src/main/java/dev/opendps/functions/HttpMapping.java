package dev.opendps.functions;

import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatusType;
import dev.opendps.api.ApiRequest;
import dev.opendps.api.ApiResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/** Maps between the Functions HTTP types and the host-independent API types, in one place for every function. */
final class HttpMapping {
    private HttpMapping() {
    }

    static ApiRequest request(HttpRequestMessage<Optional<String>> request) {
        byte[] body = request.getBody() == null ? new byte[0]
                : request.getBody().map(b -> b.getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
        return new ApiRequest(request.getHttpMethod().name(), request.getHeaders(), request.getQueryParameters(),
                body);
    }

    static HttpResponseMessage response(HttpRequestMessage<Optional<String>> request, ApiResponse response) {
        HttpResponseMessage.Builder builder = request.createResponseBuilder(HttpStatusType.custom(response.status()));
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            builder.header(header.getKey(), header.getValue());
        }
        if (response.body().length > 0) {
            builder.body(response.body());
        }
        return builder.build();
    }
}
