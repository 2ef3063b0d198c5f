package dev.opendps.domain;

/** The state of a device registration (§1.5). */
public enum RegistrationStatus {
    UNASSIGNED("unassigned"),
    ASSIGNING("assigning"),
    ASSIGNED("assigned"),
    FAILED("failed"),
    DISABLED("disabled");

    private final String wireName;

    RegistrationStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static RegistrationStatus fromWire(String value) {
        for (RegistrationStatus s : values()) {
            if (s.wireName.equalsIgnoreCase(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown registration status " + value);
    }
}
