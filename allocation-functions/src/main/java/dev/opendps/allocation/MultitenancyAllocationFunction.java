package dev.opendps.allocation;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.opendps.allocation.webhook.AllocationWebhook;
import java.util.Optional;

/**
 * Multitenancy (assigns a device to a hub of the tenant it was sold to): a custom allocation
 * webhook (dps-protocol.md §5), {@code POST /api/allocation/multitenancy?code=<function key>}.
 */
public class MultitenancyAllocationFunction {
    private final AllocationWebhook webhook;

    public MultitenancyAllocationFunction(AllocationApplication application) {
        this.webhook = application.multitenancy();
    }

    @FunctionName("MultitenancyAllocation")
    public HttpResponseMessage allocate(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.FUNCTION,
                    route = "allocation/multitenancy")
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return FunctionHttp.response(request, webhook.answer(FunctionHttp.body(request)));
    }
}
