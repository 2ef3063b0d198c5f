package dev.opendps.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.port.InstanceStore;
import dev.opendps.service.InstanceBootstrap;
import dev.opendps.service.InstanceDirectory;
import dev.opendps.wire.Json;
import java.time.Clock;
import java.util.Map;

/**
 * What an administrator needs to connect to the provisioning service instances, as the Azure portal shows it for
 * a DPS: each instance's host name, ID scope and service connection string (the owner policy's), its linked hubs
 * (host names and weights, never their credentials) and default allocation policy. The answer holds the owner key:
 * the function guarding it requires the master key, and it is never cached.
 */
public final class InstanceManagementApi {
    private final InstanceStore instances;
    private final ApiCall call;

    public InstanceManagementApi(InstanceStore instances, Clock clock) {
        this.instances = instances;
        this.call = new ApiCall("ServiceOperations", clock);
    }

    /**
     * {@code GET management/instances}: {@code {"instances": [...]}}, every instance; with {@code hostName}, that
     * instance alone (404 {@code 404205} if none serves it).
     */
    public ApiResponse instances(ApiRequest request, String hostName) {
        return call.run("management.instances", hostName, request, () -> {
            if (hostName != null && !hostName.isBlank()) {
                ProvisioningInstance instance = instances.findByHostName(InstanceDirectory.hostOnly(hostName))
                        .orElseThrow(() -> new ProvisioningException(ErrorCode.INSTANCE_NOT_FOUND,
                                "No provisioning service instance serves this host name."));
                return ApiResponse.json(200, view(instance), Map.of("Cache-Control", "no-store"));
            }
            ArrayNode all = Json.array();
            instances.list().forEach(instance -> all.add(view(instance)));
            ObjectNode body = Json.object();
            body.set("instances", all);
            return ApiResponse.json(200, body, Map.of("Cache-Control", "no-store"));
        });
    }

    private static ObjectNode view(ProvisioningInstance instance) {
        ObjectNode node = Json.object();
        node.put("hostName", instance.hostName());
        node.put("idScope", instance.idScope());
        // Devices use the host name where they would use global.azure-devices-provisioning.net.
        node.put("globalDeviceEndpoint", instance.hostName());
        node.put("serviceConnectionString", InstanceBootstrap.connectionString(instance));
        node.put("allocationPolicy", instance.defaultAllocationPolicy().wireName());
        ArrayNode hubs = node.putArray("linkedHubs");
        for (LinkedHub hub : instance.linkedHubs()) {
            hubs.addObject().put("hostName", hub.hostName()).put("allocationWeight", hub.allocationWeight())
                    .put("applyAllocationPolicy", hub.applyAllocationPolicy());
        }
        return node;
    }
}
