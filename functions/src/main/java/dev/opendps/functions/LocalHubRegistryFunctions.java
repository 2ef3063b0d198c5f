package dev.opendps.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.opendps.api.LocalHubRegistryApi;
import dev.opendps.app.ProvisioningApplication;
import java.util.Optional;

/**
 * Lets a developer see the identities and twins registration created in the embedded local hub registry.
 * Admin level: only the host's master key opens it.
 */
public class LocalHubRegistryFunctions {
    private final LocalHubRegistryApi api;

    public LocalHubRegistryFunctions(ProvisioningApplication application) {
        this.api = application.localHubRegistryApi();
    }

    @FunctionName("LocalHubDevices")
    public HttpResponseMessage devices(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ADMIN,
                    route = "localhubs/{hubHostName}/devices/{deviceId?}")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("hubHostName") String hubHostName,
            @BindingName("deviceId") String deviceId,
            ExecutionContext context) {
        return HttpMapping.response(request, api.devices(HttpMapping.request(request), hubHostName, deviceId));
    }
}
