package dev.opendps.domain;

/**
 * An IoT hub linked to an instance (dps-protocol.md §6.1): allocation weight 1–1000, whether allocation
 * policies may choose it, and the connection string DPS uses to create identities there (a secret: never
 * logged, never returned by an API; without a key in it, DPS uses its managed identity instead).
 */
public record LinkedHub(String hostName, int allocationWeight, boolean applyAllocationPolicy, String connectionString) {
    public static final int MIN_WEIGHT = 1;
    public static final int MAX_WEIGHT = 1000;

    public LinkedHub {
        if (hostName == null || hostName.isBlank()) {
            throw new IllegalArgumentException("A linked hub needs a host name");
        }
        if (allocationWeight < MIN_WEIGHT || allocationWeight > MAX_WEIGHT) {
            throw new IllegalArgumentException("allocationWeight must be 1 to 1000, was " + allocationWeight);
        }
    }

    @Override
    public String toString() {
        return "LinkedHub[" + hostName + ", weight=" + allocationWeight + ", apply=" + applyAllocationPolicy + "]";
    }
}
