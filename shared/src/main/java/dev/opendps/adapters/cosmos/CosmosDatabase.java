package dev.opendps.adapters.cosmos;

import com.azure.core.credential.TokenCredential;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.adapters.DocumentProtection;
import dev.opendps.adapters.DocumentRewrite;
import dev.opendps.adapters.identity.ManagedIdentityTokenCredential;
import dev.opendps.adapters.identity.ManagedIdentityTokens;
import com.azure.cosmos.CosmosClient;
import com.azure.cosmos.CosmosClientBuilder;
import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.ThrottlingRetryOptions;
import com.azure.cosmos.models.CosmosContainerProperties;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.FeedRange;
import com.azure.cosmos.models.FeedResponse;
import com.azure.cosmos.models.PartitionKey;
import com.azure.cosmos.models.UniqueKey;
import com.azure.cosmos.models.UniqueKeyPolicy;
import dev.opendps.wire.ETags;
import dev.opendps.wire.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * One Cosmos DB database holding a container per record kind, partitioned by {@value #PARTITION_KEY_PATH}
 * (the lower-cased ID scope) unless the kind says otherwise ({@link CosmosRecordKind#partitionKeyPath()}), so
 * every read and write of one record is a point operation. The database and the containers are created on first
 * use if missing.
 */
public final class CosmosDatabase implements AutoCloseable {
    static final String PARTITION_KEY_PATH = "/idScope";
    private static final String DISABLE_IMDS_ACCESS = "COSMOS.DISABLE_IMDS_ACCESS";

    static {
        // The SDK reads the cloud metadata address (169.254.169.254) for every client it builds, only to describe the
        // VM in its diagnostics. Off a VM (a developer machine, the local host, App Service, which has no IMDS) that
        // is a connection to nowhere; the data path never needs it. An explicit setting either way still wins.
        if (System.getProperty(DISABLE_IMDS_ACCESS) == null && System.getenv("COSMOS_DISABLE_IMDS_ACCESS") == null) {
            System.setProperty(DISABLE_IMDS_ACCESS, "true");
        }
    }

    /**
     * How long the SDK rides out throttling (429) before the call fails with a {@code StoreUnavailableException}
     * (and the API answers DPS's 429): at most {@code maxRetries} retries, each after the wait Cosmos DB asks for,
     * and no more than {@code maxWait} of waiting in all.
     */
    public record ThrottlingRetry(int maxRetries, Duration maxWait) {
        /** The SDK's own defaults, stated: 9 retries, 30 s. */
        public static final ThrottlingRetry DEFAULT = new ThrottlingRetry(9, Duration.ofSeconds(30));

        public ThrottlingRetry {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must not be negative, was " + maxRetries);
            }
            Objects.requireNonNull(maxWait, "maxWait");
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
            }
        }

        ThrottlingRetryOptions options() {
            return new ThrottlingRetryOptions().setMaxRetryAttemptsOnThrottledRequests(maxRetries)
                    .setMaxRetryWaitTime(maxWait);
        }
    }

    /** Items read per query page by {@link #rewriteDocuments}. */
    static final int REWRITE_PAGE = 100;
    private static final String EVERY_ITEM = "SELECT * FROM c";

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
            // 409: another process created it between the SDK's read and its create, as app instances starting
            // together on a fresh account do. It exists, which is all that was asked.
            if (e.getStatusCode() != 409) {
                client.close();
                throw CosmosErrors.translate(e, "open the database '" + databaseName + "'");
            }
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
        return connect(endpoint, key, databaseName, protection, ThrottlingRetry.DEFAULT);
    }

    /** As {@link #connect(String, String, String, DocumentProtection)}, riding out throttling as {@code throttling} says. */
    public static CosmosDatabase connect(String endpoint, String key, String databaseName,
                                         DocumentProtection protection, ThrottlingRetry throttling) {
        Objects.requireNonNull(key, "key");
        if (key.isBlank()) {
            throw new IllegalArgumentException("The Cosmos DB key is empty");
        }
        return connect(clientBuilder(endpoint, throttling).key(key), databaseName, protection);
    }

    /**
     * Connects with Microsoft Entra tokens from {@code credential} (e.g. the app's managed identity), for accounts
     * with key authentication disabled. The SDK asks {@code credential} for the scope {@code <endpoint origin>/.default}
     * and sends {@code Authorization: type=aad&ver=1.0&sig=<token>}. The identity needs a Cosmos DB data-plane role
     * (Built-in Data Contributor): it can read and write items and read the database's and containers' metadata,
     * but not create them, so they must exist already (infra/modules/cosmos.bicep creates them).
     */
    public static CosmosDatabase connect(String endpoint, TokenCredential credential, String databaseName,
                                         DocumentProtection protection, ThrottlingRetry throttling) {
        Objects.requireNonNull(credential, "credential");
        return connect(clientBuilder(endpoint, throttling).credential(credential), databaseName, protection);
    }

    /**
     * As {@link #connect(String, TokenCredential, String, DocumentProtection, ThrottlingRetry)} with the app's
     * managed identity ({@link ManagedIdentitySignIn}): a failing identity endpoint makes the stores unavailable.
     */
    public static CosmosDatabase connect(String endpoint, ManagedIdentityTokens identity, String databaseName,
                                         DocumentProtection protection, ThrottlingRetry throttling) {
        return connect(endpoint, new ManagedIdentitySignIn(new ManagedIdentityTokenCredential(identity)), databaseName,
                protection, throttling);
    }

    private static CosmosDatabase connect(CosmosClientBuilder builder, String databaseName,
                                          DocumentProtection protection) {
        Objects.requireNonNull(databaseName, "databaseName");
        Objects.requireNonNull(protection, "protection");
        CosmosClient client;
        try {
            client = builder.buildClient(); // reads the account: the first call that can be refused
        } catch (RuntimeException e) {
            throw CosmosErrors.connecting(e);
        }
        return new CosmosDatabase(client, databaseName, protection);
    }

    /** What the stores over this database do to the secrets in their documents. */
    DocumentProtection protection() {
        return protection;
    }

    /** A builder for this project's client settings, without a credential. */
    private static CosmosClientBuilder clientBuilder(String endpoint, ThrottlingRetry throttling) {
        Objects.requireNonNull(endpoint, "endpoint");
        // Gateway mode talks HTTPS on the endpoint only (no direct TCP to replicas). Throttling (429) is retried by
        // the SDK as `throttling` says, after the wait each 429 names (x-ms-retry-after-ms); what is still throttled,
        // unavailable (503) or timed out (408) after the SDK's retries becomes a StoreUnavailableException
        // (CosmosErrors), which the API answers with DPS's 429 or 503 and a retry-after.
        return new CosmosClientBuilder()
                .endpoint(endpoint)
                .gatewayMode()
                .endpointDiscoveryEnabled(false)
                .contentResponseOnWriteEnabled(true)
                .throttlingRetryOptions(Objects.requireNonNull(throttling, "throttling").options());
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
            if (e.getStatusCode() != 409) { // 409: another process created it just now
                throw CosmosErrors.translate(e, "open the container '" + kind.containerName() + "'");
            }
        }
        return database.getContainer(kind.containerName());
    }

    /**
     * Rewrites the documents of every container whose records hold secrets ({@link CosmosRecordKind#holdsSecrets})
     * where {@code change} returns a new text for an item's document (null: leave it), for changes that leave the
     * record as it was, such as re-wrapping data keys ({@link dev.opendps.adapters.envelope.DataKeyRewrap}); the
     * records keep their etags ({@link RecordEtags}). Beside running processes, as
     * {@link dev.opendps.adapters.sqlite.SqliteDatabase#rewriteDocuments} does on the embedded store:
     * <ul>
     *   <li>Each container is read one feed range (physical partition) at a time, each range in pages of
     *       {@value #REWRITE_PAGE} items that follow Cosmos's continuation token, so a query never fans out across
     *       partitions and one page is in hand at a time; {@code change} runs between pages' reads (it may call a key
     *       service).</li>
     *   <li>An item is replaced with {@code If-Match} its {@code _etag} as read: one written or deleted meanwhile
     *       (412, 404) keeps what its writer made of it and is counted as changed meanwhile, not failed.</li>
     *   <li>Throttling (429) is ridden out by the SDK as the database's {@link ThrottlingRetry} says, as for every
     *       store call; what is still throttled or unavailable after that stops the pass with a
     *       {@link dev.opendps.domain.port.StoreUnavailableException}. Each item is replaced whole or not at all, and
     *       running the pass again continues: what it already rewrote, {@code change} leaves.</li>
     * </ul>
     */
    public DocumentRewrite rewriteDocuments(UnaryOperator<String> change) {
        return rewriteDocuments(change, REWRITE_PAGE);
    }

    /** As {@link #rewriteDocuments(UnaryOperator)}, reading {@code pageSize} items a page. */
    DocumentRewrite rewriteDocuments(UnaryOperator<String> change, int pageSize) {
        Objects.requireNonNull(change, "change");
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be at least 1, was " + pageSize);
        }
        long[] totals = new long[3];
        for (CosmosRecordKind kind : CosmosRecordKind.values()) {
            if (kind.holdsSecrets()) {
                rewrite(kind, change, pageSize, totals);
            }
        }
        return new DocumentRewrite(totals[0], totals[1], totals[2]);
    }

    private void rewrite(CosmosRecordKind kind, UnaryOperator<String> change, int pageSize, long[] totals) {
        CosmosContainer container = container(kind);
        List<FeedRange> ranges;
        try {
            ranges = container.getFeedRanges();
        } catch (CosmosException e) {
            throw CosmosErrors.translate(e, "list the partitions of the container '" + kind.containerName() + "'");
        }
        for (FeedRange range : ranges) {
            String continuation = null;
            do {
                FeedResponse<ObjectNode> page;
                try {
                    Iterator<FeedResponse<ObjectNode>> pages = container.queryItems(EVERY_ITEM,
                                    new CosmosQueryRequestOptions().setFeedRange(range), ObjectNode.class)
                            .iterableByPage(continuation, pageSize).iterator();
                    if (!pages.hasNext()) {
                        break;
                    }
                    page = pages.next();
                } catch (CosmosException e) {
                    throw CosmosErrors.translate(e, "read the " + kind.description() + "s to rewrite");
                }
                for (ObjectNode item : page.getResults()) {
                    totals[0]++;
                    switch (rewrite(container, kind, item, change)) {
                        case REWRITTEN -> totals[1]++;
                        case CHANGED_MEANWHILE -> totals[2]++;
                        case UNCHANGED -> {
                        }
                    }
                }
                continuation = page.getContinuationToken();
            } while (continuation != null);
        }
    }

    private enum Outcome {
        UNCHANGED, REWRITTEN, CHANGED_MEANWHILE
    }

    private static Outcome rewrite(CosmosContainer container, CosmosRecordKind kind, ObjectNode item,
                                   UnaryOperator<String> change) {
        JsonNode document = item.get("doc");
        JsonNode partition = item.get(kind.partitionKeyPath().substring(1));
        String etag = ETags.unquote(item.path("_etag").asText(null));
        if (!(document instanceof ObjectNode) || partition == null || !partition.isTextual() || etag == null) {
            return Outcome.UNCHANGED; // not an item the stores wrote: nothing of theirs to rewrite
        }
        String before = Json.string(document);
        String after = change.apply(before);
        if (after == null || after.equals(before)) {
            return Outcome.UNCHANGED;
        }
        ObjectNode replacement = item.deepCopy();
        List<String> system = new ArrayList<>();
        replacement.fieldNames().forEachRemaining(name -> {
            if (name.startsWith("_")) { // _rid, _self, _etag, _ts, _attachments: Cosmos's, not the item's
                system.add(name);
            }
        });
        replacement.remove(system);
        replacement.set("doc", Json.parseStored(after));
        // The record is as it was, so it keeps the etag it showed (RecordEtags), though Cosmos gives a new _etag.
        replacement.put(RecordEtags.FIELD, RecordEtags.of(item, etag));
        String id = item.path("id").asText();
        try {
            container.replaceItem(replacement, id, new PartitionKey(partition.asText()),
                    RecordEtags.ifMatch(etag).setContentResponseOnWriteEnabled(false));
            return Outcome.REWRITTEN;
        } catch (CosmosException e) {
            if (e.getStatusCode() == 412 || e.getStatusCode() == 404) {
                return Outcome.CHANGED_MEANWHILE; // its writer sealed under the current version anyway
            }
            throw CosmosErrors.translate(e, "rewrite a " + kind.description());
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
