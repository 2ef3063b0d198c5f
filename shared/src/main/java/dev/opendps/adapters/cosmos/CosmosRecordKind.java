package dev.opendps.adapters.cosmos;

import dev.opendps.wire.StorageCodecs;
import java.util.List;

/**
 * The kinds of record kept in Cosmos DB, one container each so that a record's id (lower-cased) is its item
 * id. The container names, partition key paths and unique keys are data: never change them (Cosmos DB fixes a
 * container's partition key and unique keys when it is created).
 */
enum CosmosRecordKind {
    ENROLLMENT("enrollments", "enrollment"),
    ENROLLMENT_GROUP("enrollmentGroups", "enrollment group"),
    REGISTRATION_STATE("registrationStates", "registration"),
    REGISTRATION_OPERATION("registrationOperations", "operation"),
    TPM_CHALLENGE("tpmChallenges", "TPM challenge"),
    CA_CERTIFICATE("caCertificates", "CA certificate"),
    /** Partitioned by the lower-cased hub host name: the hub is the scope of a device identity. */
    HUB_DEVICE("hubDevices", "hub device", "/hubHostName", List.of()),
    /**
     * Every instance in one logical partition, so that the unique key on the lower-cased host name holds across
     * all instances (Cosmos DB enforces unique keys per logical partition); see {@link CosmosInstanceStore}.
     */
    INSTANCE("instances", "provisioning service instance", CosmosInstanceStore.PARTITION_KEY_PATH,
            List.of(CosmosInstanceStore.HOST_NAME_PATH));

    private final String containerName;
    private final String description;
    private final String partitionKeyPath;
    private final List<String> uniqueKeyPaths;

    CosmosRecordKind(String containerName, String description) {
        this(containerName, description, CosmosDatabase.PARTITION_KEY_PATH, List.of());
    }

    CosmosRecordKind(String containerName, String description, String partitionKeyPath, List<String> uniqueKeyPaths) {
        this.containerName = containerName;
        this.description = description;
        this.partitionKeyPath = partitionKeyPath;
        this.uniqueKeyPaths = uniqueKeyPaths;
    }

    /**
     * Whether its documents hold secrets: whether the codec its store writes them with names any
     * ({@link dev.opendps.adapters.DocumentCodec#secretPaths()}). Only these are sealed, so only these have data keys
     * to re-wrap ({@link CosmosDatabase#rewriteDocuments}).
     */
    boolean holdsSecrets() {
        List<String> secretPaths = switch (this) {
            case ENROLLMENT -> StorageCodecs.enrollments().secretPaths();
            case ENROLLMENT_GROUP -> StorageCodecs.enrollmentGroups().secretPaths();
            case REGISTRATION_STATE -> StorageCodecs.registrationStates().secretPaths();
            case REGISTRATION_OPERATION -> StorageCodecs.registrationOperations().secretPaths();
            case TPM_CHALLENGE -> StorageCodecs.tpmChallenges().secretPaths();
            case CA_CERTIFICATE -> StorageCodecs.caCertificates().secretPaths();
            case HUB_DEVICE -> StorageCodecs.hubDevices().secretPaths();
            case INSTANCE -> StorageCodecs.instances().secretPaths();
        };
        return !secretPaths.isEmpty();
    }

    String partitionKeyPath() {
        return partitionKeyPath;
    }

    /** Paths whose values are unique within a logical partition, each a unique key of its own. */
    List<String> uniqueKeyPaths() {
        return uniqueKeyPaths;
    }

    String containerName() {
        return containerName;
    }

    /** How messages name a record of this kind. */
    String description() {
        return description;
    }
}
