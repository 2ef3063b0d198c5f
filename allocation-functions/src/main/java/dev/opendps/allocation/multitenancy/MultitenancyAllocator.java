package dev.opendps.allocation.multitenancy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.allocation.webhook.AllocationDecision;
import dev.opendps.allocation.webhook.AllocationRequest;
import dev.opendps.allocation.webhook.Allocator;
import dev.opendps.allocation.webhook.InitialTwin;
import dev.opendps.allocation.webhook.StableHash;
import dev.opendps.wire.Json;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Multitenancy: a device goes to a hub of the tenant it was sold to. The sale is found by registration id
 * first, else by the serial number the device reports in {@code payload.serialNumber} (which the device
 * asserts, unlike its attested registration id). Among the tenant's hubs that DPS offers, the stable hash of
 * the registration id chooses. The twin is the enrollment's initial twin, then the tenant's, then the tags
 * {@code tenant} and {@code tenantName}; the device gets {@code {"tenant":…}} plus the tenant's payload.
 */
public final class MultitenancyAllocator implements Allocator {
    /** The payload field naming the device's serial number. */
    public static final String SERIAL_NUMBER_FIELD = "serialNumber";

    private final SalesRecords sales;
    private final TenantDirectory tenants;

    public MultitenancyAllocator(SalesRecords sales, TenantDirectory tenants) {
        this.sales = Objects.requireNonNull(sales, "sales");
        this.tenants = Objects.requireNonNull(tenants, "tenants");
    }

    @Override
    public AllocationDecision allocate(AllocationRequest request) {
        String serialNumber = serialNumber(request);
        Optional<Sale> sale = sales.soldAsRegistrationId(request.registrationId());
        if (sale.isEmpty() && serialNumber != null) {
            sale = sales.soldAsSerialNumber(serialNumber);
        }
        if (sale.isEmpty()) {
            return new AllocationDecision.Refuse(404, "No sales record for the device '" + request.registrationId()
                    + (serialNumber == null ? "' (by registration id; its payload has no serialNumber)."
                            : "' (by registration id or by the serialNumber in its payload)."));
        }
        String tenantId = sale.get().tenantId();
        Optional<Tenant> found = tenants.tenant(tenantId);
        if (found.isEmpty()) {
            return new AllocationDecision.Refuse(404, "The device '" + request.registrationId()
                    + "' was sold to the tenant '" + tenantId + "', which is not in the tenant directory.");
        }
        Tenant tenant = found.get();
        List<String> offered = request.offeredAmong(tenant.hubs());
        Optional<String> hub = StableHash.choose(request.registrationId(), offered);
        if (hub.isEmpty()) {
            return new AllocationDecision.Refuse(400, "The tenant '" + tenantId + "' has no hub among those offered "
                    + request.linkedHubs() + " (its hubs: " + tenant.hubs() + ").");
        }
        InitialTwin twin = request.enrollmentInitialTwin().overlaidWith(tenant.initialTwin())
                .withTag("tenant", tenant.id())
                .withTag("tenantName", tenant.name());
        ObjectNode payload = Json.object();
        if (tenant.payload() != null) {
            payload.setAll(tenant.payload());
        }
        payload.put("tenant", tenant.id());
        return new AllocationDecision.Assign(hub.get(), twin, payload);
    }

    /** {@code payload.serialNumber} as text (a number is accepted too), or null. */
    static String serialNumber(AllocationRequest request) {
        JsonNode value = request.payloadField(SERIAL_NUMBER_FIELD);
        if (value == null || !(value.isTextual() || value.isIntegralNumber()) || value.asText().isBlank()) {
            return null;
        }
        return value.asText().trim();
    }
}
