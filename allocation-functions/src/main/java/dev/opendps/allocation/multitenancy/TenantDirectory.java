package dev.opendps.allocation.multitenancy;

import java.util.Optional;

/** Port: the tenants and their hubs. */
public interface TenantDirectory {
    Optional<Tenant> tenant(String tenantId);
}
