package dev.opendps.adapters.cosmos;

/**
 * The kinds of record kept in Cosmos DB, one container each so that a record's id (lower-cased) is its item
 * id. The container names are data: never rename them.
 */
enum CosmosRecordKind {
    ENROLLMENT("enrollments", "enrollment"),
    ENROLLMENT_GROUP("enrollmentGroups", "enrollment group"),
    REGISTRATION_STATE("registrationStates", "registration"),
    REGISTRATION_OPERATION("registrationOperations", "operation"),
    TPM_CHALLENGE("tpmChallenges", "TPM challenge"),
    CA_CERTIFICATE("caCertificates", "CA certificate");

    private final String containerName;
    private final String description;

    CosmosRecordKind(String containerName, String description) {
        this.containerName = containerName;
        this.description = description;
    }

    String containerName() {
        return containerName;
    }

    /** How messages name a record of this kind. */
    String description() {
        return description;
    }
}
