package dev.opendps.adapters.sqlite;

/** The kinds of record kept in the {@code documents} table. The stored names are data: never rename them. */
enum DocumentKind {
    ENROLLMENT("enrollment", "enrollment"),
    ENROLLMENT_GROUP("enrollmentGroup", "enrollment group"),
    REGISTRATION_STATE("registrationState", "registration"),
    REGISTRATION_OPERATION("registrationOperation", "operation"),
    /** Device identities of the embedded hub registry; the "ID scope" column holds the hub's host name. */
    HUB_DEVICE("hubDevice", "hub device"),
    CA_CERTIFICATE("caCertificate", "CA certificate"),
    TPM_CHALLENGE("tpmChallenge", "TPM challenge");

    private final String storedName;
    private final String description;

    DocumentKind(String storedName, String description) {
        this.storedName = storedName;
        this.description = description;
    }

    /** The value of the {@code kind} column. */
    String storedName() {
        return storedName;
    }

    /** How messages name a record of this kind. */
    String description() {
        return description;
    }
}
