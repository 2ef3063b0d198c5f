package dev.opendps.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.opendps.api.KeyManagementApi;
import dev.opendps.app.ProvisioningApplication;
import java.util.Optional;

/**
 * Re-wraps the stored data keys under the key-encryption key's current version, after the key was rotated in Key
 * Vault (README, "Secrets at rest"). Admin level: only the host's master key may start it.
 */
public class KeyManagementFunctions {
    private final KeyManagementApi api;

    public KeyManagementFunctions(ProvisioningApplication application) {
        this.api = application.keyManagementApi();
    }

    @FunctionName("RewrapDataKeys")
    public HttpResponseMessage rewrap(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ADMIN,
                    route = "management/keys/rewrap")
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return HttpMapping.response(request, api.rewrap(HttpMapping.request(request)));
    }
}
