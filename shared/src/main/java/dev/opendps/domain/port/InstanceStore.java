package dev.opendps.domain.port;

import dev.opendps.domain.ProvisioningInstance;
import java.util.List;
import java.util.Optional;

/** Provisioning service instances, found by host name (service API) or ID scope (devices), both case-insensitive. */
public interface InstanceStore {

    Optional<ProvisioningInstance> findByHostName(String hostName);

    Optional<ProvisioningInstance> findByIdScope(String idScope);

    /** {@link RecordAlreadyExistsException} if the host name or the ID scope is taken. */
    ProvisioningInstance create(ProvisioningInstance instance);

    /** Same etag rule as {@link VersionedStore#replace}; the instance is found by its ID scope. */
    ProvisioningInstance replace(ProvisioningInstance instance, String ifMatch);

    List<ProvisioningInstance> list();
}
