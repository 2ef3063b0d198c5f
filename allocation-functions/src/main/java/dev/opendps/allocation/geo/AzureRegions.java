package dev.opendps.allocation.geo;

import java.util.Map;

/**
 * Built-in coordinates of common Azure regions (the approximate latitude and longitude that Azure's region
 * list gives for each), so configurations can name hubs and devices by region alone.
 * {@code ALLOCATION_GEO_REGIONS} adds regions and overrides these.
 */
final class AzureRegions {
    private AzureRegions() {
    }

    static final Map<String, GeoPoint> COORDINATES = Map.ofEntries(
            Map.entry("eastus", new GeoPoint(37.3719, -79.8164)),
            Map.entry("eastus2", new GeoPoint(36.6681, -78.3889)),
            Map.entry("centralus", new GeoPoint(41.5908, -93.6208)),
            Map.entry("northcentralus", new GeoPoint(41.8819, -87.6278)),
            Map.entry("southcentralus", new GeoPoint(29.4167, -98.5)),
            Map.entry("westcentralus", new GeoPoint(40.89, -110.234)),
            Map.entry("westus", new GeoPoint(37.783, -122.417)),
            Map.entry("westus2", new GeoPoint(47.233, -119.852)),
            Map.entry("westus3", new GeoPoint(33.448376, -112.074036)),
            Map.entry("canadacentral", new GeoPoint(43.653, -79.383)),
            Map.entry("canadaeast", new GeoPoint(46.817, -71.217)),
            Map.entry("brazilsouth", new GeoPoint(-23.55, -46.633)),
            Map.entry("northeurope", new GeoPoint(53.3478, -6.2597)),
            Map.entry("westeurope", new GeoPoint(52.3667, 4.9)),
            Map.entry("uksouth", new GeoPoint(50.941, -0.799)),
            Map.entry("ukwest", new GeoPoint(53.427, -3.084)),
            Map.entry("francecentral", new GeoPoint(46.3772, 2.373)),
            Map.entry("germanywestcentral", new GeoPoint(50.110924, 8.682127)),
            Map.entry("switzerlandnorth", new GeoPoint(47.451542, 8.564572)),
            Map.entry("norwayeast", new GeoPoint(59.913868, 10.752245)),
            Map.entry("swedencentral", new GeoPoint(60.67488, 17.14127)),
            Map.entry("polandcentral", new GeoPoint(52.23334, 21.01666)),
            Map.entry("italynorth", new GeoPoint(45.46888, 9.18109)),
            Map.entry("uaenorth", new GeoPoint(25.266666, 55.316666)),
            Map.entry("southafricanorth", new GeoPoint(-25.73134, 28.21837)),
            Map.entry("centralindia", new GeoPoint(18.5822, 73.9197)),
            Map.entry("southindia", new GeoPoint(12.9822, 80.1636)),
            Map.entry("southeastasia", new GeoPoint(1.283, 103.833)),
            Map.entry("eastasia", new GeoPoint(22.267, 114.188)),
            Map.entry("japaneast", new GeoPoint(35.68, 139.77)),
            Map.entry("japanwest", new GeoPoint(34.6939, 135.5022)),
            Map.entry("koreacentral", new GeoPoint(37.5665, 126.978)),
            Map.entry("australiaeast", new GeoPoint(-33.86, 151.2094)),
            Map.entry("australiasoutheast", new GeoPoint(-37.8136, 144.9631)));
}
