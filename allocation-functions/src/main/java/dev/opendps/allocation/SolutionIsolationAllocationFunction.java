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
 * Solution isolation (assigns a device to a hub of its solution): a custom allocation
 * webhook (dps-protocol.md §5), {@code POST /api/allocation/solution-isolation?code=<function key>}.
 */
public class SolutionIsolationAllocationFunction {
    private final AllocationWebhook webhook;

    public SolutionIsolationAllocationFunction(AllocationApplication application) {
        this.webhook = application.solutionIsolation();
    }

    @FunctionName("SolutionIsolationAllocation")
    public HttpResponseMessage allocate(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.FUNCTION,
                    route = "allocation/solution-isolation")
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return FunctionHttp.response(request, webhook.answer(FunctionHttp.body(request)));
    }
}
