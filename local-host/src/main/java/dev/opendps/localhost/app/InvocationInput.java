package dev.opendps.localhost.app;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import dev.opendps.localhost.http.IncomingRequest;

import java.net.URI;
import java.util.Map;

/**
 * Everything one invocation's parameters are bound from.
 *
 * @param routeValues percent-decoded route parameters (case-insensitive lookup)
 * @param query       percent-decoded query parameters
 */
public record InvocationInput(IncomingRequest request, URI uri, HttpMethod method, Map<String, String> query,
                              Map<String, String> routeValues, ExecutionContext context) {
}
