package dev.opendps.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.opendps.api.InstanceManagementApi;
import dev.opendps.app.ProvisioningApplication;
import java.util.Optional;

/**
 * The provisioning service instances with their ID scopes and service connection strings, for the administrator
 * after a deployment: admin level, so only the host's master key opens it (the answer holds the owner key). Not
 * under {@code admin/}, which the Functions host reserves for its own API; {@code management} is no DPS route.
 * The instances themselves are created on the app's first start ({@link ProvisioningApplication#shared()}).
 */
public class InstanceManagementFunctions {
    private final InstanceManagementApi api;

    public InstanceManagementFunctions(ProvisioningApplication application) {
        this.api = application.instanceManagementApi();
    }

    @FunctionName("Instances")
    public HttpResponseMessage instances(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ADMIN,
                    route = "management/instances/{hostName?}")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("hostName") String hostName,
            ExecutionContext context) {
        return HttpMapping.response(request, api.instances(HttpMapping.request(request), hostName));
    }
}
