package dev.opendps.domain;

/** How a hub is chosen for a device (§6.1). */
public enum AllocationPolicy {
    HASHED("hashed"),
    GEO_LATENCY("geoLatency"),
    STATIC("static"),
    CUSTOM("custom");

    private final String wireName;

    AllocationPolicy(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Case-insensitive: the CLI docs write {@code geolatency}, JSON writes {@code geoLatency}. */
    public static AllocationPolicy fromWire(String value) {
        for (AllocationPolicy p : values()) {
            if (p.wireName.equalsIgnoreCase(value)) {
                return p;
            }
        }
        throw new ProvisioningException(ErrorCode.INVALID_ARGUMENT,
                "allocationPolicy must be one of hashed, geoLatency, static, custom.");
    }
}
