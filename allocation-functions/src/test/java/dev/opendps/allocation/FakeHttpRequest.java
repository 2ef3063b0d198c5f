package dev.opendps.allocation;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** An {@link HttpRequestMessage} as the Functions host passes it, and the responses it builds, for tests. */
final class FakeHttpRequest implements HttpRequestMessage<Optional<String>> {
    private final HttpMethod method;
    private final String body;

    FakeHttpRequest(HttpMethod method, String body) {
        this.method = method;
        this.body = body;
    }

    @Override
    public URI getUri() {
        return URI.create("https://localhost:8443/api/allocation");
    }

    @Override
    public HttpMethod getHttpMethod() {
        return method;
    }

    @Override
    public Map<String, String> getHeaders() {
        return Map.of("content-type", "application/json");
    }

    @Override
    public Map<String, String> getQueryParameters() {
        return Map.of();
    }

    @Override
    public Optional<String> getBody() {
        return Optional.ofNullable(body);
    }

    @Override
    public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
        return createResponseBuilder((HttpStatusType) status);
    }

    @Override
    public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
        return new Response(status);
    }

    static final class Response implements HttpResponseMessage, HttpResponseMessage.Builder {
        private HttpStatusType status;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Object body;

        Response(HttpStatusType status) {
            this.status = status;
        }

        @Override
        public HttpResponseMessage.Builder status(HttpStatusType status) {
            this.status = status;
            return this;
        }

        @Override
        public HttpResponseMessage.Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        @Override
        public HttpResponseMessage.Builder body(Object body) {
            this.body = body;
            return this;
        }

        @Override
        public HttpResponseMessage build() {
            return this;
        }

        @Override
        public HttpStatusType getStatus() {
            return status;
        }

        @Override
        public String getHeader(String name) {
            return headers.get(name);
        }

        @Override
        public Object getBody() {
            return body;
        }
    }
}
