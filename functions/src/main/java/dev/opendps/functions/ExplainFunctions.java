package dev.opendps.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.opendps.api.ServiceApi;
import dev.opendps.app.ProvisioningApplication;
import java.util.Optional;

/**
 * Explains how a device's registration would be decided, without registering it (an OpenDPS addition on the
 * service endpoint). Anonymous at the Functions level: the API authenticates with DPS SAS tokens and requires the
 * EnrollmentRead and RegistrationStatusRead rights.
 */
public class ExplainFunctions {
    private final ServiceApi api;

    public ExplainFunctions(ProvisioningApplication application) {
        this.api = application.serviceApi();
    }

    @FunctionName("ExplainAllocation")
    public HttpResponseMessage explain(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "explain/{registrationId}")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("registrationId") String registrationId,
            ExecutionContext context) {
        return HttpMapping.response(request, api.explainAllocation(HttpMapping.request(request), registrationId));
    }
}
