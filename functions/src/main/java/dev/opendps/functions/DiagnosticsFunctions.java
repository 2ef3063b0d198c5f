package dev.opendps.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.opendps.api.DiagnosticsApi;
import dev.opendps.app.ProvisioningApplication;
import java.util.Optional;

/**
 * Health for platform probes (anonymous: it names checks, not causes) and the metrics scrape (admin: only the
 * host's master key opens it). {@code health} is one literal segment, so it meets no DPS route: device paths
 * have three or more segments and start with an ID scope ({@code 0ne…}), service paths with their own literals.
 * The scrape is not under {@code admin/}, which the Functions host reserves for its own API.
 */
public class DiagnosticsFunctions {
    private final DiagnosticsApi api;

    public DiagnosticsFunctions(ProvisioningApplication application) {
        this.api = application.diagnosticsApi();
    }

    @FunctionName("Health")
    public HttpResponseMessage health(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "health")
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return HttpMapping.response(request, api.health(HttpMapping.request(request)));
    }

    @FunctionName("Metrics")
    public HttpResponseMessage metrics(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ADMIN,
                    route = "diagnostics/metrics")
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return HttpMapping.response(request, api.metrics(HttpMapping.request(request)));
    }
}
