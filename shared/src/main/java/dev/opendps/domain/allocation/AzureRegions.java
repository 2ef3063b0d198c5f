package dev.opendps.domain.allocation;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Approximate coordinates of common Azure regions (as Azure's region list gives them), so that
 * {@code DPS_HUB_LOCATIONS}, the geo-sharding allocation function's settings and device payloads may name a
 * region instead of coordinates; anything else takes {@code lat}/{@code lon}. Names match as Azure writes them in either form ({@code westeurope},
 * {@code West Europe}).
 */
public final class AzureRegions {
    private static final Map<String, GeoLocation> REGIONS = Map.ofEntries(
            Map.entry("eastus", new GeoLocation(37.3719, -79.8164)),
            Map.entry("eastus2", new GeoLocation(36.6681, -78.3889)),
            Map.entry("centralus", new GeoLocation(41.5908, -93.6208)),
            Map.entry("northcentralus", new GeoLocation(41.8819, -87.6278)),
            Map.entry("southcentralus", new GeoLocation(29.4167, -98.5)),
            Map.entry("westcentralus", new GeoLocation(40.89, -110.234)),
            Map.entry("westus", new GeoLocation(37.783, -122.417)),
            Map.entry("westus2", new GeoLocation(47.233, -119.852)),
            Map.entry("westus3", new GeoLocation(33.448376, -112.074036)),
            Map.entry("canadacentral", new GeoLocation(43.653, -79.383)),
            Map.entry("canadaeast", new GeoLocation(46.817, -71.217)),
            Map.entry("brazilsouth", new GeoLocation(-23.55, -46.633)),
            Map.entry("northeurope", new GeoLocation(53.3478, -6.2597)),
            Map.entry("westeurope", new GeoLocation(52.3667, 4.9)),
            Map.entry("uksouth", new GeoLocation(50.941, -0.799)),
            Map.entry("ukwest", new GeoLocation(53.427, -3.084)),
            Map.entry("francecentral", new GeoLocation(46.3772, 2.373)),
            Map.entry("germanywestcentral", new GeoLocation(50.110924, 8.682127)),
            Map.entry("switzerlandnorth", new GeoLocation(47.451542, 8.564572)),
            Map.entry("norwayeast", new GeoLocation(59.913868, 10.752245)),
            Map.entry("swedencentral", new GeoLocation(60.67488, 17.14127)),
            Map.entry("polandcentral", new GeoLocation(52.23334, 21.01666)),
            Map.entry("italynorth", new GeoLocation(45.46888, 9.18109)),
            Map.entry("uaenorth", new GeoLocation(25.266666, 55.316666)),
            Map.entry("southafricanorth", new GeoLocation(-25.73134, 28.21837)),
            Map.entry("centralindia", new GeoLocation(18.5822, 73.9197)),
            Map.entry("southindia", new GeoLocation(12.9822, 80.1636)),
            Map.entry("southeastasia", new GeoLocation(1.283, 103.833)),
            Map.entry("eastasia", new GeoLocation(22.267, 114.188)),
            Map.entry("japaneast", new GeoLocation(35.68, 139.77)),
            Map.entry("japanwest", new GeoLocation(34.6939, 135.5022)),
            Map.entry("koreacentral", new GeoLocation(37.5665, 126.978)),
            Map.entry("australiaeast", new GeoLocation(-33.86, 151.2094)),
            Map.entry("australiasoutheast", new GeoLocation(-37.8136, 144.9631)));

    private AzureRegions() {
    }

    /** Every built-in region by its compact lower-case name ({@code westeurope}). */
    public static Map<String, GeoLocation> all() {
        return REGIONS;
    }

    /** The region's coordinates, if it is one of the built-in regions. */
    public static Optional<GeoLocation> find(String region) {
        if (region == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(REGIONS.get(region.replace(" ", "").toLowerCase(Locale.ROOT)));
    }
}
