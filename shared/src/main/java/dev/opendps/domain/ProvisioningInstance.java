package dev.opendps.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One provisioning service instance (a tenant): what Azure calls a DPS resource. Devices reach it by
 * its ID scope, the service API by its host name.
 */
public record ProvisioningInstance(
        String hostName,
        String idScope,
        List<SharedAccessPolicy> policies,
        List<LinkedHub> linkedHubs,
        AllocationPolicy defaultAllocationPolicy,
        String etag,
        Instant createdDateTimeUtc) {

    public ProvisioningInstance {
        policies = List.copyOf(policies);
        linkedHubs = linkedHubs == null ? List.of() : List.copyOf(linkedHubs);
        defaultAllocationPolicy = defaultAllocationPolicy == null ? AllocationPolicy.HASHED : defaultAllocationPolicy;
        if (defaultAllocationPolicy == AllocationPolicy.CUSTOM) {
            throw new IllegalArgumentException("Custom allocation cannot be the service-level default (§5)");
        }
    }

    public Optional<LinkedHub> linkedHub(String hostName) {
        return linkedHubs.stream().filter(h -> h.hostName().equalsIgnoreCase(hostName)).findFirst();
    }

    public ProvisioningInstance withPolicies(List<SharedAccessPolicy> newPolicies) {
        return new ProvisioningInstance(hostName, idScope, newPolicies, linkedHubs, defaultAllocationPolicy, etag,
                createdDateTimeUtc);
    }

    public ProvisioningInstance withHubs(List<LinkedHub> hubs, AllocationPolicy defaultPolicy) {
        return new ProvisioningInstance(hostName, idScope, policies, hubs, defaultPolicy, etag, createdDateTimeUtc);
    }

    public Optional<SharedAccessPolicy> policy(String keyName) {
        return policies.stream().filter(p -> p.keyName().equalsIgnoreCase(keyName)).findFirst();
    }

    public ProvisioningInstance withEtag(String newEtag) {
        return new ProvisioningInstance(hostName, idScope, policies, linkedHubs, defaultAllocationPolicy, newEtag,
                createdDateTimeUtc);
    }

    @Override
    public String toString() {
        return "ProvisioningInstance[" + hostName + ", " + idScope + "]";
    }
}
