package dev.opendps.allocation.geo;

import dev.opendps.domain.allocation.GeoLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.allocation.config.InvalidDocumentException;
import dev.opendps.allocation.webhook.AllocationDecision;
import dev.opendps.allocation.webhook.AllocationRequest;
import dev.opendps.allocation.webhook.Allocator;
import dev.opendps.allocation.webhook.InitialTwin;
import dev.opendps.allocation.webhook.StableHash;
import dev.opendps.wire.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Geo-sharding: the offered hub nearest the device by great-circle distance.
 *
 * <p>DPS tells a webhook nothing about the device's network address, so the device is placed by what it
 * reports or by its name, first match wins: {@code payload.location} ({@code {"lat":…,"lon":…}}),
 * {@code payload.region} (a region name), {@code payload.network} (looked up in the networks table), the
 * registration id's longest configured prefix. Only offered hubs ({@code linkedHubs}) are candidates, and of
 * those only hubs with a configured place compete on distance; hubs without one are used only when no offered
 * hub has a place. Equally near hubs (e.g. two in one region), and devices that cannot be placed, are spread by
 * the stable hash of the registration id. The twin gets {@code tags.region} of the chosen hub when known.
 */
public final class GeoShardingAllocator implements Allocator {
    /** Distances closer than this count as equal: hubs in one region are a tie, not a race of rounding errors. */
    private static final double TIE_KM = 1e-6;

    private final GeoShardingConfig config;

    public GeoShardingAllocator(GeoShardingConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** How the device was placed: the place and the rule that gave it, or no place. */
    record DeviceLocation(Place place, String locatedBy) {
    }

    @Override
    public AllocationDecision allocate(AllocationRequest request) {
        if (request.linkedHubs().isEmpty()) {
            return new AllocationDecision.Refuse(400, "DPS offered no linked hubs to choose from.");
        }
        if (!config.hasHubs()) {
            return new AllocationDecision.Refuse(400,
                    "Geo-sharding knows no hub locations: ALLOCATION_GEO_HUBS is not configured.");
        }
        DeviceLocation device;
        try {
            device = locate(request);
        } catch (InvalidDocumentException e) {
            return new AllocationDecision.Refuse(400, e.getMessage());
        }
        List<String> placed = request.linkedHubs().stream().filter(hub -> config.hub(hub).isPresent()).toList();
        List<String> contenders;
        if (placed.isEmpty()) {
            contenders = request.linkedHubs();
        } else if (device.place() == null) {
            contenders = placed;
        } else {
            contenders = nearest(device.place().point(), placed);
        }
        String hub = StableHash.choose(request.registrationId(), contenders).orElseThrow();
        String hubRegion = config.hub(hub).map(Place::region).orElse(null);
        InitialTwin twin = request.enrollmentInitialTwin();
        if (hubRegion != null) {
            twin = twin.withTag("region", hubRegion);
        }
        ObjectNode payload = Json.object();
        payload.put("locatedBy", device.locatedBy());
        if (hubRegion != null) {
            payload.put("region", hubRegion);
        }
        if (device.place() != null && config.hub(hub).isPresent()) {
            double km = device.place().point().distanceKm(config.hub(hub).get().point());
            payload.put("distanceKm", Math.round(km));
        }
        return new AllocationDecision.Assign(hub, twin, payload);
    }

    /** The device's place by the first rule that gives one; a malformed location is the device's mistake. */
    DeviceLocation locate(AllocationRequest request) {
        JsonNode location = request.payloadField("location");
        if (location != null) {
            return new DeviceLocation(new Place(null, GeoShardingConfig.point(location, "payload.location")),
                    "payload.location");
        }
        JsonNode region = request.payloadField("region");
        if (region != null) {
            if (!region.isTextual()) {
                throw new InvalidDocumentException("payload.region must be a region name such as \"westeurope\"");
            }
            var place = config.region(region.asText());
            if (place.isPresent()) {
                return new DeviceLocation(place.get(), "payload.region");
            }
        }
        JsonNode network = request.payloadField("network");
        if (network != null && network.isTextual()) {
            var place = config.network(network.asText());
            if (place.isPresent()) {
                return new DeviceLocation(place.get(), "payload.network");
            }
        }
        return config.registrationIdPrefix(request.registrationId())
                .map(place -> new DeviceLocation(place, "registrationIdPrefix"))
                .orElse(new DeviceLocation(null, "none"));
    }

    private List<String> nearest(GeoLocation device, List<String> hubs) {
        double best = Double.MAX_VALUE;
        List<String> nearest = new ArrayList<>();
        for (String hub : hubs) {
            double km = device.distanceKm(config.hub(hub).orElseThrow().point());
            if (km < best - TIE_KM) {
                best = km;
                nearest.clear();
                nearest.add(hub);
            } else if (km <= best + TIE_KM) {
                nearest.add(hub);
            }
        }
        return nearest;
    }
}
