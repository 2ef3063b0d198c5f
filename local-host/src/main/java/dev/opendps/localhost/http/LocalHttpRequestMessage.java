package dev.opendps.localhost.http;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;

import java.net.URI;
import java.util.Map;

/** The host's {@link HttpRequestMessage}: what the Java worker hands an HTTP-triggered function. */
public final class LocalHttpRequestMessage<T> implements HttpRequestMessage<T> {

    private final URI uri;
    private final HttpMethod method;
    private final Map<String, String> headers;
    private final Map<String, String> queryParameters;
    private final T body;

    public LocalHttpRequestMessage(URI uri, HttpMethod method, Map<String, String> headers,
                                   Map<String, String> queryParameters, T body) {
        this.uri = uri;
        this.method = method;
        this.headers = headers;
        this.queryParameters = queryParameters;
        this.body = body;
    }

    @Override
    public URI getUri() {
        return uri;
    }

    @Override
    public HttpMethod getHttpMethod() {
        return method;
    }

    /** Header names in lower case; the map is unmodifiable. */
    @Override
    public Map<String, String> getHeaders() {
        return headers;
    }

    /** Percent-decoded query parameters; a repeated name's values are joined with ",". */
    @Override
    public Map<String, String> getQueryParameters() {
        return queryParameters;
    }

    @Override
    public T getBody() {
        return body;
    }

    @Override
    public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
        return new LocalHttpResponseMessage.Builder(status);
    }

    @Override
    public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
        return new LocalHttpResponseMessage.Builder(status);
    }
}
