package dev.opendps.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.Page;
import dev.opendps.wire.StorageCodecs;
import dev.opendps.wire.Json;
import java.time.Clock;
import java.util.Map;

/**
 * Read access to the embedded hub registry: one device, or a hub's devices a page at a time
 * ({@code x-ms-max-item-count} / {@code x-ms-continuation} as the service API pages). Only meaningful
 * where identities are kept locally; the function guarding it requires the master key.
 */
public final class LocalHubRegistryApi {
    private final HubRegistry registry;
    private final ApiCall call;

    public LocalHubRegistryApi(HubRegistry registry, Clock clock) {
        this.registry = registry;
        this.call = new ApiCall("ServiceOperations", clock);
    }

    public ApiResponse devices(ApiRequest request, String hubHostName, String deviceId) {
        return call.run("localHub.devices", deviceId, request, () -> {
            LinkedHub hub = new LinkedHub(hubHostName, 1, true, null);
            if (deviceId != null && !deviceId.isEmpty()) {
                HubDevice device = registry.find(hub, deviceId).orElseThrow(() ->
                        new ProvisioningException(ErrorCode.NOT_FOUND, "No device has this id in this hub."));
                return ApiResponse.json(200, view(device));
            }
            QueryPaging paging = QueryPaging.of(request);
            Page<HubDevice> page = registry.list(hub, paging.maxItems(), paging.continuationToken());
            ArrayNode items = Json.array();
            page.items().forEach(d -> items.add(view(d)));
            return ApiResponse.json(200, items,
                    page.hasMore() ? Map.of("x-ms-continuation", page.continuationToken()) : Map.of());
        });
    }

    private static ObjectNode view(HubDevice device) {
        return StorageCodecs.hubDeviceDocument(device);
    }
}
