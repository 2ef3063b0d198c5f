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
        String etag,
        Instant createdDateTimeUtc) {

    public ProvisioningInstance {
        policies = List.copyOf(policies);
    }

    public Optional<SharedAccessPolicy> policy(String keyName) {
        return policies.stream().filter(p -> p.keyName().equalsIgnoreCase(keyName)).findFirst();
    }

    public ProvisioningInstance withEtag(String newEtag) {
        return new ProvisioningInstance(hostName, idScope, policies, newEtag, createdDateTimeUtc);
    }

    @Override
    public String toString() {
        return "ProvisioningInstance[" + hostName + ", " + idScope + "]";
    }
}
