package dev.opendps.service;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.port.InstanceStore;
import java.util.Locale;
import java.util.Optional;

/** Finds the instance a request is for: service calls by host name, device calls by ID scope (§1, §4). */
public final class InstanceDirectory {
    private final InstanceStore instances;

    public InstanceDirectory(InstanceStore instances) {
        this.instances = instances;
    }

    /** The host part of a Host header or SAS resource: port and any path removed, lower-cased. */
    public static String hostOnly(String hostOrAuthority) {
        if (hostOrAuthority == null) {
            return "";
        }
        String host = hostOrAuthority.trim();
        int slash = host.indexOf('/');
        if (slash >= 0) {
            host = host.substring(0, slash);
        }
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 ? host.substring(0, end + 1).toLowerCase(Locale.ROOT) : host.toLowerCase(Locale.ROOT);
        }
        int colon = host.indexOf(':');
        if (colon >= 0) {
            host = host.substring(0, colon);
        }
        return host.toLowerCase(Locale.ROOT);
    }

    public Optional<ProvisioningInstance> byHostName(String hostOrAuthority) {
        String host = hostOnly(hostOrAuthority);
        return host.isEmpty() ? Optional.empty() : instances.findByHostName(host);
    }

    public ProvisioningInstance byIdScope(String idScope) {
        return instances.findByIdScope(idScope)
                .orElseThrow(() -> new ProvisioningException(ErrorCode.INSTANCE_NOT_FOUND,
                        "No provisioning service instance has this ID scope."));
    }
}
