package dev.opendps.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.opendps.api.DeviceApi;
import dev.opendps.app.ProvisioningApplication;
import java.util.Optional;

/**
 * The device registration API (dps-protocol.md §1.1). Anonymous at the Functions level: devices attest
 * with SAS tokens (and, later, certificates and TPM keys) that the API verifies itself.
 */
public class DeviceRegistrationFunctions {
    private final DeviceApi api;

    public DeviceRegistrationFunctions(ProvisioningApplication application) {
        this.api = application.deviceApi();
    }

    @FunctionName("DeviceRegister")
    public HttpResponseMessage register(
            @HttpTrigger(name = "req", methods = {HttpMethod.PUT}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "{idScope}/registrations/{registrationId}/register")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("idScope") String idScope,
            @BindingName("registrationId") String registrationId,
            ExecutionContext context) {
        return HttpMapping.response(request, api.register(HttpMapping.request(request), idScope, registrationId));
    }

    @FunctionName("DeviceOperationStatus")
    public HttpResponseMessage operationStatus(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "{idScope}/registrations/{registrationId}/operations/{operationId}")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("idScope") String idScope,
            @BindingName("registrationId") String registrationId,
            @BindingName("operationId") String operationId,
            ExecutionContext context) {
        return HttpMapping.response(request,
                api.operationStatus(HttpMapping.request(request), idScope, registrationId, operationId));
    }

    @FunctionName("DeviceRegistrationStatus")
    public HttpResponseMessage registrationStatus(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "{idScope}/registrations/{registrationId}")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("idScope") String idScope,
            @BindingName("registrationId") String registrationId,
            ExecutionContext context) {
        return HttpMapping.response(request,
                api.registrationStatus(HttpMapping.request(request), idScope, registrationId));
    }
}
