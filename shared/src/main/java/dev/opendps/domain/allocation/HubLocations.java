package dev.opendps.domain.allocation;

import dev.opendps.domain.LinkedHub;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Where linked hubs are, by host name (case-insensitively), for {@code geoLatency}; hubs may be missing. */
public final class HubLocations {
    public static final HubLocations NONE = new HubLocations(Map.of());

    private final Map<String, GeoLocation> byHost;

    private HubLocations(Map<String, GeoLocation> byHost) {
        this.byHost = byHost;
    }

    public static HubLocations of(Map<String, GeoLocation> byHostName) {
        Map<String, GeoLocation> byHost = new HashMap<>();
        byHostName.forEach((host, location) -> byHost.put(host.toLowerCase(Locale.ROOT), location));
        return new HubLocations(Map.copyOf(byHost));
    }

    public Optional<GeoLocation> find(LinkedHub hub) {
        return Optional.ofNullable(byHost.get(hub.hostName().toLowerCase(Locale.ROOT)));
    }

    public boolean isEmpty() {
        return byHost.isEmpty();
    }
}
