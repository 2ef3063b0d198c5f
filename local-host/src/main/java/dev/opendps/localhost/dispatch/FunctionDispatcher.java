package dev.opendps.localhost.dispatch;

import com.microsoft.azure.functions.HttpMethod;
import dev.opendps.localhost.app.InvocationInput;
import dev.opendps.localhost.http.IncomingRequest;
import dev.opendps.localhost.http.LocalExecutionContext;
import dev.opendps.localhost.http.OutgoingResponse;
import dev.opendps.localhost.http.RequestProcessor;
import dev.opendps.localhost.http.ResponseRenderer;
import dev.opendps.localhost.routing.RouteTable;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The host's request pipeline: route (404/405), check the key for the function's auth level (401), then invoke
 * the function on the worker pool, since functions block (database I/O) and the caller's thread is an event loop.
 */
public final class FunctionDispatcher implements RequestProcessor {

    private static final Logger LOG = Logger.getLogger(FunctionDispatcher.class.getName());
    private static final String KEY_HEADER = "x-functions-key";
    private static final String KEY_QUERY_PARAMETER = "code";

    private final RouteTable<RouteTarget> routes;
    private final Executor workers;

    public FunctionDispatcher(RouteTable<RouteTarget> routes, Executor workers) {
        this.routes = routes;
        this.workers = workers;
    }

    @Override
    public CompletionStage<OutgoingResponse> process(IncomingRequest request) {
        RequestTarget target;
        try {
            target = RequestTarget.parse(request.baseUrl(), request.target());
        } catch (IllegalArgumentException e) {
            return done(OutgoingResponse.empty(400));
        }
        RouteTable.Lookup<RouteTarget> lookup = routes.lookup(request.method(), target.pathSegments());
        if (lookup instanceof RouteTable.MethodNotAllowed<RouteTarget> notAllowed) {
            return done(OutgoingResponse.empty(405, "Allow", String.join(", ", notAllowed.allowedMethods())));
        }
        if (!(lookup instanceof RouteTable.Found<RouteTarget> found)) {
            return done(OutgoingResponse.empty(404));
        }
        HttpMethod method;
        try {
            method = HttpMethod.value(request.method());
        } catch (IllegalArgumentException unknownMethod) {
            return done(OutgoingResponse.empty(405));
        }
        RouteTarget route = found.target();
        String key = request.headers().get(KEY_HEADER);
        if (key == null) {
            key = target.query().get(KEY_QUERY_PARAMETER);
        }
        if (!route.keys().permits(route.function().definition().authLevel(), key)) {
            return done(OutgoingResponse.empty(401));
        }
        Map<String, String> routeValues = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        routeValues.putAll(found.routeValues());
        CompletableFuture<OutgoingResponse> response = new CompletableFuture<>();
        try {
            workers.execute(() -> response.complete(invoke(route, request, target, method, routeValues)));
        } catch (RejectedExecutionException busy) {
            LOG.warning("Worker pool saturated; answering 503");
            return done(OutgoingResponse.empty(503, "Retry-After", "1"));
        }
        return response;
    }

    private static OutgoingResponse invoke(RouteTarget route, IncomingRequest request, RequestTarget target,
                                           HttpMethod method, Map<String, String> routeValues) {
        String functionName = route.function().definition().name();
        LocalExecutionContext context = new LocalExecutionContext(functionName, request.headers());
        try {
            Object returned = route.function().invoke(
                    new InvocationInput(request, target.uri(), method, target.query(), routeValues, context));
            OutgoingResponse response = ResponseRenderer.render(returned, method == HttpMethod.HEAD);
            if (response.status() < 100 || response.status() > 999) {
                throw new IllegalStateException("Function returned invalid HTTP status " + response.status());
            }
            return response;
        } catch (Throwable failure) {
            // Log the failure only: request headers and bodies carry keys and tokens.
            LOG.log(Level.SEVERE, "Function " + functionName + " failed (invocation " + context.getInvocationId() + ")",
                    failure);
            return OutgoingResponse.json(500, "{\"error\":\"internal server error\",\"invocationId\":\""
                    + context.getInvocationId() + "\"}");
        }
    }

    private static CompletionStage<OutgoingResponse> done(OutgoingResponse response) {
        return CompletableFuture.completedFuture(response);
    }
}
