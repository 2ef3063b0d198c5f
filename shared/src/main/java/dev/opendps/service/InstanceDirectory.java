package dev.opendps.service;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.port.InstanceStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.Optional;

/**
 * Finds the instance a request is for: service calls by host name, device calls by ID scope (§1, §4).
 * Instances change rarely and are read on every request, so lookups are cached for a moment; callers that
 * must see a change at once (a policy just added) ask again with {@code fresh}.
 */
public final class InstanceDirectory {
    private record Cached(ProvisioningInstance instance, long loadedAtMillis) {
    }

    private final InstanceStore instances;
    private final Clock clock;
    private final long maxAgeMillis;
    private final Map<String, Cached> byScope = new ConcurrentHashMap<>();
    private final Map<String, Cached> byHost = new ConcurrentHashMap<>();

    public InstanceDirectory(InstanceStore instances, Clock clock, Duration maxAge) {
        this.instances = instances;
        this.clock = clock;
        this.maxAgeMillis = maxAge.toMillis();
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
        return byHostName(hostOrAuthority, false);
    }

    public Optional<ProvisioningInstance> byHostName(String hostOrAuthority, boolean fresh) {
        String host = hostOnly(hostOrAuthority);
        return host.isEmpty() ? Optional.empty()
                : Optional.ofNullable(lookup(byHost, host, fresh, () -> instances.findByHostName(host)));
    }

    public ProvisioningInstance byIdScope(String idScope) {
        String key = idScope == null ? "" : idScope.toLowerCase(Locale.ROOT);
        ProvisioningInstance instance = lookup(byScope, key, false, () -> instances.findByIdScope(idScope));
        if (instance == null) {
            throw new ProvisioningException(ErrorCode.INSTANCE_NOT_FOUND,
                    "No provisioning service instance has this ID scope.");
        }
        return instance;
    }

    /** Unknown names are not cached, so an instance created a moment ago is found at once. */
    private ProvisioningInstance lookup(Map<String, Cached> cache, String key, boolean fresh,
                                        Supplier<Optional<ProvisioningInstance>> load) {
        long now = clock.millis();
        Cached cached = fresh ? null : cache.get(key);
        if (cached != null && now - cached.loadedAtMillis() < maxAgeMillis) {
            return cached.instance();
        }
        Optional<ProvisioningInstance> loaded = load.get();
        loaded.ifPresentOrElse(instance -> cache.put(key, new Cached(instance, now)), () -> cache.remove(key));
        return loaded.orElse(null);
    }
}
