package dev.opendps.allocation;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.opendps.allocation.multitenancy.SalesRecordsBulkLoad;
import java.util.Optional;

/**
 * Replaces all multitenancy tenants and sales at once: {@code PUT /api/allocation/multitenancy/records} with the
 * records document. Admin level: only the master key opens it.
 */
public class MultitenancyRecordsFunction {
    private final SalesRecordsBulkLoad bulkLoad;

    public MultitenancyRecordsFunction(AllocationApplication application) {
        this.bulkLoad = application.multitenancyRecords();
    }

    @FunctionName("MultitenancyRecords")
    public HttpResponseMessage replace(
            @HttpTrigger(name = "req", methods = {HttpMethod.PUT}, authLevel = AuthorizationLevel.ADMIN,
                    route = "allocation/multitenancy/records")
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return FunctionHttp.response(request, bulkLoad.replace(FunctionHttp.body(request)));
    }
}
