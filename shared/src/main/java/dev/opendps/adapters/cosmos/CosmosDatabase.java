package dev.opendps.adapters.cosmos;

import dev.opendps.adapters.DocumentProtection;
import com.azure.cosmos.CosmosClient;
import com.azure.cosmos.CosmosClientBuilder;
import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.ThrottlingRetryOptions;
import com.azure.cosmos.models.CosmosContainerProperties;
import com.azure.cosmos.models.UniqueKey;
import com.azure.cosmos.models.UniqueKeyPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Cosmos DB database holding a container per record kind, partitioned by {@value #PARTITION_KEY_PATH}
 * (the lower-cased ID scope) unless the kind says otherwise ({@link CosmosRecordKind#partitionKeyPath()}), so
 * every read and write of one record is a point operation. The database and the containers are created on first
 * use if missing.
 */
public final class CosmosDatabase implements AutoCloseable {
    static final String PARTITION_KEY_PATH = "/idScope";

    private final CosmosClient client;
    private final com.azure.cosmos.CosmosDatabase database;
    private final Map<CosmosRecordKind, CosmosContainer> containers = new ConcurrentHashMap<>();
    private final DocumentProtection protection;

    private CosmosDatabase(CosmosClient client, String databaseName, DocumentProtection protection) {
        this.client = client;
        this.protection = protection;
        try {
            client.createDatabaseIfNotExists(databaseName);
        } catch (CosmosException e) {
            client.close();
            throw CosmosErrors.translate(e, "open the database '" + databaseName + "'");
        }
        this.database = client.getDatabase(databaseName);
    }

    /** Connects with the account key. The key is used for signing only and never appears in a message. */
    public static CosmosDatabase connect(String endpoint, String key, String databaseName) {
        return connect(endpoint, key, databaseName, DocumentProtection.NONE);
    }

    /** As {@link #connect(String, String, String)}; every store over it writes secrets through {@code protection}. */
    public static CosmosDatabase connect(String endpoint, String key, String databaseName,
                                         DocumentProtection protection) {
        Objects.requireNonNull(key, "key");
        if (key.isBlank()) {
            throw new IllegalArgumentException("The Cosmos DB key is empty");
        }
        return connect(clientBuilder(endpoint).key(key), databaseName, protection);
    }

    /**
     * Connects with a builder that already carries its credential: the seam for identity-based access
     * ({@code clientBuilder(endpoint).credential(tokenCredential)}) next to {@link #connect(String, String, String)}.
     */
    static CosmosDatabase connect(CosmosClientBuilder builder, String databaseName) {
        return connect(builder, databaseName, DocumentProtection.NONE);
    }

    static CosmosDatabase connect(CosmosClientBuilder builder, String databaseName, DocumentProtection protection) {
        Objects.requireNonNull(databaseName, "databaseName");
        Objects.requireNonNull(protection, "protection");
        return new CosmosDatabase(builder.buildClient(), databaseName, protection);
    }

    /** What the stores over this database do to the secrets in their documents. */
    DocumentProtection protection() {
        return protection;
    }

    /** A builder for this project's client settings, without a credential. */
    static CosmosClientBuilder clientBuilder(String endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        // Gateway mode talks HTTPS on the endpoint only (no direct TCP to replicas); throttling (429) is retried
        // by the SDK for up to 30 s before it surfaces, and then becomes a StoreUnavailableException.
        return new CosmosClientBuilder()
                .endpoint(endpoint)
                .gatewayMode()
                .endpointDiscoveryEnabled(false)
                .contentResponseOnWriteEnabled(true)
                .throttlingRetryOptions(new ThrottlingRetryOptions()
                        .setMaxRetryAttemptsOnThrottledRequests(9)
                        .setMaxRetryWaitTime(Duration.ofSeconds(30)));
    }

    CosmosContainer container(CosmosRecordKind kind) {
        return containers.computeIfAbsent(kind, this::openContainer);
    }

    private CosmosContainer openContainer(CosmosRecordKind kind) {
        try {
            CosmosContainerProperties properties = new CosmosContainerProperties(kind.containerName(),
                    kind.partitionKeyPath());
            if (!kind.uniqueKeyPaths().isEmpty()) {
                properties.setUniqueKeyPolicy(new UniqueKeyPolicy().setUniqueKeys(kind.uniqueKeyPaths().stream()
                        .map(path -> new UniqueKey(List.of(path))).toList()));
            }
            database.createContainerIfNotExists(properties);
        } catch (CosmosException e) {
            throw CosmosErrors.translate(e, "open the container '" + kind.containerName() + "'");
        }
        return database.getContainer(kind.containerName());
    }

    @Override
    public void close() {
        client.close();
    }
}
