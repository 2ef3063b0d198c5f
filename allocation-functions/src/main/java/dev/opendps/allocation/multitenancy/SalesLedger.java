package dev.opendps.allocation.multitenancy;

import dev.opendps.allocation.config.InvalidDocumentException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A consistent set of tenants and sales: every sale names a known tenant, and no device is sold twice (a
 * resale replaces its record). Immutable; built only valid.
 */
public final class SalesLedger {
    private static final SalesLedger EMPTY = new SalesLedger(List.of(), List.of());

    private final Map<String, Tenant> tenants = new LinkedHashMap<>();
    private final List<Sale> sales;
    private final Map<String, Sale> byRegistrationId = new HashMap<>();
    private final Map<String, Sale> bySerialNumber = new HashMap<>();

    /** @throws InvalidDocumentException when a sale names an unknown tenant or a device is sold twice */
    public SalesLedger(Collection<Tenant> tenants, List<Sale> sales) {
        for (Tenant tenant : tenants) {
            if (this.tenants.putIfAbsent(tenant.id(), tenant) != null) {
                throw new InvalidDocumentException("Tenant '" + tenant.id() + "' is declared twice");
            }
        }
        this.sales = List.copyOf(sales);
        for (int i = 0; i < this.sales.size(); i++) {
            Sale sale = this.sales.get(i);
            if (!this.tenants.containsKey(sale.tenantId())) {
                throw new InvalidDocumentException("sales[" + i + "] names the unknown tenant '" + sale.tenantId() + "'");
            }
            if (sale.registrationId() != null
                    && byRegistrationId.putIfAbsent(registrationKey(sale.registrationId()), sale) != null) {
                throw new InvalidDocumentException("sales[" + i + "]: registration id '" + sale.registrationId()
                        + "' is sold twice");
            }
            if (sale.serialNumber() != null && bySerialNumber.putIfAbsent(sale.serialNumber(), sale) != null) {
                throw new InvalidDocumentException("sales[" + i + "]: serial number '" + sale.serialNumber()
                        + "' is sold twice");
            }
        }
    }

    public static SalesLedger empty() {
        return EMPTY;
    }

    public Collection<Tenant> tenants() {
        return List.copyOf(tenants.values());
    }

    public List<Sale> sales() {
        return sales;
    }

    public Optional<Tenant> tenant(String tenantId) {
        return Optional.ofNullable(tenants.get(tenantId));
    }

    public Optional<Sale> soldAsRegistrationId(String registrationId) {
        return Optional.ofNullable(byRegistrationId.get(registrationKey(registrationId)));
    }

    public Optional<Sale> soldAsSerialNumber(String serialNumber) {
        return Optional.ofNullable(bySerialNumber.get(serialNumber));
    }

    private static String registrationKey(String registrationId) {
        return registrationId.toLowerCase(Locale.ROOT);
    }
}
