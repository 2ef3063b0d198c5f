package dev.opendps.allocation.config;

/**
 * Every setting the allocation functions read, with its default. Each also appears in
 * allocation-functions/local.settings.sample.json, the root local.settings.sample.json and the README.
 * A JSON setting holds either the JSON itself (starting with '{') or the path of a file holding it.
 */
public enum AllocationSetting {
    /**
     * The multitenancy sales records document, re-read when it changes and rewritten by the bulk-load
     * endpoint. Empty: {@code <DPS_DATA_DIR>/allocation/multitenancy.json}.
     */
    MULTITENANCY_FILE("ALLOCATION_MULTITENANCY_FILE", ""),
    /** Geo-sharding: hub host name to {@code {"region":…}} and/or {@code {"lat":…,"lon":…}}. Empty: none. */
    GEO_HUBS("ALLOCATION_GEO_HUBS", ""),
    /** Geo-sharding: region name to {@code {"lat":…,"lon":…}}, added to (and overriding) the built-in Azure regions. */
    GEO_REGIONS("ALLOCATION_GEO_REGIONS", ""),
    /** Geo-sharding: the device's {@code payload.network} to a region name or {@code {"lat":…,"lon":…}}. */
    GEO_NETWORKS("ALLOCATION_GEO_NETWORKS", ""),
    /** Geo-sharding: registration id prefix to a region name or {@code {"lat":…,"lon":…}}; longest prefix wins. */
    GEO_REGISTRATION_PREFIXES("ALLOCATION_GEO_REGISTRATION_PREFIXES", ""),
    /** Solution isolation: solution name to its hubs, matching rules and initial twin. Empty: none. */
    SOLUTIONS("ALLOCATION_SOLUTIONS", "");

    private final String key;
    private final String defaultValue;

    AllocationSetting(String key, String defaultValue) {
        this.key = key;
        this.defaultValue = defaultValue;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }
}
