package dev.opendps.allocation.multitenancy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.allocation.webhook.InitialTwin;
import java.util.List;
import java.util.Objects;

/**
 * A customer owning devices, and the hubs its devices go to.
 *
 * @param id          the tenant's key, the {@code tenant} of its sales and the {@code tags.tenant} of its devices
 * @param name        display name, the {@code tags.tenantName} of its devices
 * @param hubs        its IoT hubs' host names (may be empty: then none of its devices can be placed)
 * @param initialTwin tags and desired properties every device of the tenant starts with
 * @param payload     returned to its devices at registration, beside {@code tenant}; null for none
 */
public record Tenant(String id, String name, List<String> hubs, InitialTwin initialTwin, ObjectNode payload) {
    public Tenant {
        Objects.requireNonNull(id, "id");
        name = name == null ? id : name;
        hubs = List.copyOf(hubs);
        initialTwin = initialTwin == null ? InitialTwin.empty() : initialTwin;
        payload = payload == null ? null : payload.deepCopy();
    }
}
