package dev.opendps.domain;

/** Whether an enrollment may provision devices (§4.4). */
public enum ProvisioningStatus {
    ENABLED("enabled"),
    DISABLED("disabled");

    private final String wireName;

    ProvisioningStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static ProvisioningStatus fromWire(String value) {
        for (ProvisioningStatus s : values()) {
            if (s.wireName.equalsIgnoreCase(value)) {
                return s;
            }
        }
        throw new ProvisioningException(ErrorCode.INVALID_ARGUMENT,
                "provisioningStatus must be 'enabled' or 'disabled'.");
    }
}
