package dev.opendps.localhost.http;

import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatusType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** The host's {@link HttpResponseMessage}: status, headers (case-insensitive, last value wins) and a body object. */
public final class LocalHttpResponseMessage implements HttpResponseMessage {

    private final HttpStatusType status;
    private final Map<String, Map.Entry<String, String>> headers;
    private final Object body;

    private LocalHttpResponseMessage(Builder builder) {
        this.status = builder.status;
        this.headers = new LinkedHashMap<>(builder.headers);
        this.body = builder.body;
    }

    @Override
    public HttpStatusType getStatus() {
        return status;
    }

    @Override
    public String getHeader(String name) {
        Map.Entry<String, String> header = headers.get(name.toLowerCase(Locale.ROOT));
        return header == null ? null : header.getValue();
    }

    @Override
    public Object getBody() {
        return body;
    }

    /** The headers with the names as the function wrote them. */
    public List<Map.Entry<String, String>> headers() {
        return new ArrayList<>(headers.values());
    }

    public static final class Builder implements HttpResponseMessage.Builder {

        private HttpStatusType status;
        private final Map<String, Map.Entry<String, String>> headers = new LinkedHashMap<>();
        private Object body;

        public Builder(HttpStatusType status) {
            this.status = Objects.requireNonNull(status, "status");
        }

        @Override
        public Builder status(HttpStatusType status) {
            this.status = Objects.requireNonNull(status, "status");
            return this;
        }

        @Override
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            headers.put(name.toLowerCase(Locale.ROOT), Map.entry(name, value == null ? "" : value));
            return this;
        }

        @Override
        public Builder body(Object body) {
            this.body = body;
            return this;
        }

        @Override
        public LocalHttpResponseMessage build() {
            return new LocalHttpResponseMessage(this);
        }
    }
}
