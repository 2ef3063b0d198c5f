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
 * Geo-sharding (assigns a device to the nearest offered hub): a custom allocation
 * webhook (dps-protocol.md §5), {@code POST /api/allocation/geo-sharding?code=<function key>}.
 */
public class GeoShardingAllocationFunction {
    private final AllocationWebhook webhook;

    public GeoShardingAllocationFunction(AllocationApplication application) {
        this.webhook = application.geoSharding();
    }

    @FunctionName("GeoShardingAllocation")
    public HttpResponseMessage allocate(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.FUNCTION,
                    route = "allocation/geo-sharding")
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return FunctionHttp.response(request, webhook.answer(FunctionHttp.body(request)));
    }
}
