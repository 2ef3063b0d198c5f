package dev.opendps.domain.allocation;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Approximate coordinates (the region's city) of a few Azure regions, so that {@code DPS_HUB_LOCATIONS} and
 * device payloads may name a region instead of coordinates. Deliberately small: anything else takes
 * {@code lat}/{@code lon}. Names match as Azure writes them in either form ({@code westeurope},
 * {@code West Europe}).
 */
public final class AzureRegions {
    private static final Map<String, GeoLocation> REGIONS = Map.ofEntries(
            Map.entry("eastus", new GeoLocation(37.37, -79.82)),          // Virginia
            Map.entry("eastus2", new GeoLocation(36.67, -78.39)),         // Virginia
            Map.entry("centralus", new GeoLocation(41.59, -93.62)),       // Iowa
            Map.entry("westus2", new GeoLocation(47.23, -119.85)),        // Washington
            Map.entry("canadacentral", new GeoLocation(43.65, -79.38)),   // Toronto
            Map.entry("brazilsouth", new GeoLocation(-23.55, -46.63)),    // São Paulo
            Map.entry("northeurope", new GeoLocation(53.35, -6.26)),      // Dublin
            Map.entry("westeurope", new GeoLocation(52.37, 4.90)),        // Amsterdam
            Map.entry("uksouth", new GeoLocation(51.51, -0.13)),          // London
            Map.entry("francecentral", new GeoLocation(48.86, 2.35)),     // Paris
            Map.entry("germanywestcentral", new GeoLocation(50.11, 8.68)), // Frankfurt
            Map.entry("swedencentral", new GeoLocation(60.67, 17.14)),    // Gävle
            Map.entry("centralindia", new GeoLocation(18.52, 73.86)),     // Pune
            Map.entry("southeastasia", new GeoLocation(1.28, 103.83)),    // Singapore
            Map.entry("eastasia", new GeoLocation(22.27, 114.19)),        // Hong Kong
            Map.entry("japaneast", new GeoLocation(35.68, 139.77)),       // Tokyo
            Map.entry("koreacentral", new GeoLocation(37.57, 126.98)),    // Seoul
            Map.entry("australiaeast", new GeoLocation(-33.87, 151.21)),  // Sydney
            Map.entry("southafricanorth", new GeoLocation(-26.20, 28.05))); // Johannesburg

    private AzureRegions() {
    }

    /** The region's coordinates, if it is one of the built-in regions. */
    public static Optional<GeoLocation> find(String region) {
        if (region == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(REGIONS.get(region.replace(" ", "").toLowerCase(Locale.ROOT)));
    }
}
