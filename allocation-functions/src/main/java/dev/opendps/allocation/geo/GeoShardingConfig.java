package dev.opendps.allocation.geo;

import dev.opendps.domain.allocation.AzureRegions;
import dev.opendps.domain.allocation.GeoLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.allocation.config.InvalidDocumentException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Where hubs are, and how to place a device that reports no coordinates. Built from four JSON objects:
 * <ul>
 *   <li>hubs: host name to {@code {"region":"westeurope"}} and/or {@code {"lat":52.37,"lon":4.9}} (coordinates win);</li>
 *   <li>regions: region name to {@code {"lat":…,"lon":…}}, over the built-in Azure regions;</li>
 *   <li>networks: the device's {@code payload.network} to a region name or coordinates;</li>
 *   <li>registration id prefixes: a prefix to a region name or coordinates (longest prefix wins).</li>
 * </ul>
 * Host names, region names and prefixes compare case-insensitively; network names exactly.
 */
public final class GeoShardingConfig {
    private final Map<String, Place> hubs = new HashMap<>();
    private final Map<String, GeoLocation> regions = new HashMap<>();
    private final Map<String, Place> networks = new HashMap<>();
    private final Map<String, Place> prefixes = new HashMap<>();

    /** Any argument may be null (not configured). */
    public GeoShardingConfig(ObjectNode hubs, ObjectNode regions, ObjectNode networks, ObjectNode prefixes) {
        AzureRegions.all().forEach(this.regions::put);
        forEach(regions, (name, value) -> this.regions.put(key(name), point(value, "ALLOCATION_GEO_REGIONS." + name)));
        forEach(hubs, (host, value) -> this.hubs.put(key(host), hub(value, "ALLOCATION_GEO_HUBS." + host)));
        forEach(networks, (network, value) -> this.networks.put(network,
                place(value, "ALLOCATION_GEO_NETWORKS." + network)));
        forEach(prefixes, (prefix, value) -> this.prefixes.put(key(prefix),
                place(value, "ALLOCATION_GEO_REGISTRATION_PREFIXES." + prefix)));
    }

    public static GeoShardingConfig empty() {
        return new GeoShardingConfig(null, null, null, null);
    }

    public boolean hasHubs() {
        return !hubs.isEmpty();
    }

    public Optional<Place> hub(String hostName) {
        return Optional.ofNullable(hubs.get(key(hostName)));
    }

    public Optional<Place> region(String name) {
        return Optional.ofNullable(regions.get(key(name))).map(point -> new Place(key(name), point));
    }

    public Optional<Place> network(String name) {
        return Optional.ofNullable(networks.get(name));
    }

    /** The place of the longest configured prefix of {@code registrationId}. */
    public Optional<Place> registrationIdPrefix(String registrationId) {
        String id = key(registrationId);
        return prefixes.entrySet().stream()
                .filter(entry -> id.startsWith(entry.getKey()))
                .max(Comparator.comparingInt(entry -> entry.getKey().length()))
                .map(Map.Entry::getValue);
    }

    private Place hub(JsonNode value, String where) {
        if (!value.isObject()) {
            throw new InvalidDocumentException(where + " must be {\"region\":…} or {\"lat\":…,\"lon\":…}");
        }
        JsonNode region = value.get("region");
        if (region != null && !region.isTextual()) {
            throw new InvalidDocumentException(where + ".region must be a string");
        }
        if (value.has("lat") || value.has("lon")) {
            return new Place(region == null ? null : key(region.asText()), point(value, where));
        }
        if (region == null) {
            throw new InvalidDocumentException(where + " needs a region or lat and lon");
        }
        return namedRegion(region.asText(), where);
    }

    /** A region name, or coordinates, or {@code {"region":…}}. */
    private Place place(JsonNode value, String where) {
        if (value.isTextual()) {
            return namedRegion(value.asText(), where);
        }
        return hub(value, where);
    }

    private Place namedRegion(String name, String where) {
        return region(name).orElseThrow(() -> new InvalidDocumentException(where + " names the unknown region '"
                + name + "' (add it to ALLOCATION_GEO_REGIONS)"));
    }

    static GeoLocation point(JsonNode value, String where) {
        JsonNode lat = value.get("lat");
        JsonNode lon = value.get("lon");
        if (!value.isObject() || lat == null || lon == null || !lat.isNumber() || !lon.isNumber()) {
            throw new InvalidDocumentException(where + " must be {\"lat\":<number>,\"lon\":<number>}");
        }
        try {
            return new GeoLocation(lat.asDouble(), lon.asDouble());
        } catch (IllegalArgumentException e) {
            throw new InvalidDocumentException(where + ": " + e.getMessage());
        }
    }

    private static void forEach(ObjectNode object, BiConsumer<String, JsonNode> action) {
        if (object == null) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            action.accept(field.getKey(), field.getValue());
        }
    }

    private static String key(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }
}
