package dev.opendps.domain.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.LinkedHub;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code geoLatency} policy (dps-protocol.md §6.1), approximated. Real DPS measures latency from the device
 * to each hub; a self-hosted service cannot, so distance stands in for it: the hub nearest the device wins,
 * hubs equally near (within {@link #TIE_KM}, e.g. two hubs in one region) are decided by
 * {@link WeightedHashAllocation}, as DPS hashes among equals by weight.
 *
 * <p>The device's location comes from its register payload, {@code {"location": {"lat": …, "lon": …}}} or
 * {@code {"region": "westeurope"}} ({@link AzureRegions}); hub locations from configuration. A device without a
 * location, or candidates of which none has a location, get the weighted hash over all candidates. A hub
 * without a location is never "nearest" while some candidate has one.
 */
public final class GeoLatencyAllocation {
    /** Distances closer than this count as equal: hubs of one region, and rounding. */
    static final double TIE_KM = 1.0;

    private GeoLatencyAllocation() {
    }

    /** The winning hub among {@code candidates} for the device; empty if there are none. */
    public static Optional<LinkedHub> choose(String registrationId, GeoLocation device,
                                             Collection<LinkedHub> candidates, HubLocations locations) {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(locations, "locations");
        if (device == null) {
            return WeightedHashAllocation.choose(registrationId, candidates);
        }
        double nearest = Double.POSITIVE_INFINITY;
        for (LinkedHub hub : candidates) {
            Optional<GeoLocation> at = locations.find(hub);
            if (at.isPresent()) {
                nearest = Math.min(nearest, device.distanceKm(at.get()));
            }
        }
        if (nearest == Double.POSITIVE_INFINITY) {
            return WeightedHashAllocation.choose(registrationId, candidates);
        }
        List<LinkedHub> nearestHubs = new ArrayList<>();
        for (LinkedHub hub : candidates) {
            Optional<GeoLocation> at = locations.find(hub);
            if (at.isPresent() && device.distanceKm(at.get()) < nearest + TIE_KM) {
                nearestHubs.add(hub);
            }
        }
        return WeightedHashAllocation.choose(registrationId, nearestHubs);
    }

    /**
     * The device's location from its register payload: {@code location.lat}/{@code location.lon} (numbers),
     * else a built-in {@code region}. Anything else (no payload, other fields, out-of-range or non-numeric
     * coordinates, an unknown region) is no location, so the device is hashed rather than refused.
     */
    public static Optional<GeoLocation> deviceLocation(JsonNode payload) {
        if (payload == null || !payload.isObject()) {
            return Optional.empty();
        }
        JsonNode location = payload.path("location");
        JsonNode lat = location.path("lat");
        JsonNode lon = location.path("lon");
        if (lat.isNumber() && lon.isNumber()) {
            try {
                return Optional.of(new GeoLocation(lat.doubleValue(), lon.doubleValue()));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        JsonNode region = payload.path("region");
        return region.isTextual() ? AzureRegions.find(region.asText()) : Optional.empty();
    }
}
