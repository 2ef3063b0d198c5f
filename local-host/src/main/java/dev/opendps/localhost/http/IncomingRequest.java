package dev.opendps.localhost.http;

import java.util.Map;

/**
 * A request as the transport hands it to the host, independent of Netty.
 *
 * @param method        upper-case HTTP method
 * @param target        the raw request target: path and query, still percent-encoded
 * @param baseUrl       scheme and authority, e.g. {@code https://localhost:8443}
 * @param headers       header names in lower case (as the Java worker delivers them), repeated values joined by ", "
 * @param body          the body bytes (empty when there is none)
 */
public record IncomingRequest(String method, String target, String baseUrl, Map<String, String> headers, byte[] body) {

    public IncomingRequest {
        headers = Map.copyOf(headers);
    }
}
