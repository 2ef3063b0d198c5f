package dev.opendps.adapters.cosmos;

import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosItemRequestOptions;
import com.azure.cosmos.models.CosmosItemResponse;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.FeedResponse;
import com.azure.cosmos.models.PartitionKey;
import com.azure.cosmos.models.SqlParameter;
import com.azure.cosmos.models.SqlQuerySpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.adapters.ContinuationToken;
import dev.opendps.adapters.DocumentCodec;
import dev.opendps.adapters.RedactingCodec;
import dev.opendps.domain.Versioned;
import dev.opendps.domain.port.Page;
import dev.opendps.domain.port.StoreException;
import dev.opendps.domain.port.VersionedStore;
import dev.opendps.wire.ETags;
import dev.opendps.wire.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A {@link VersionedStore} over one Cosmos DB container: an item per record, partitioned by the lower-cased ID
 * scope (in the property the record kind's partition key path names: {@code idScope}, or {@code hubHostName} for
 * the hub registry, whose scope is a hub), with the lower-cased record id as item id (ids compare
 * case-insensitively, dps-protocol.md §2.3; a store may map ids otherwise, as the hub registry does for its
 * case-sensitive device ids), so find, create, replace and delete are point operations. The item holds the codec's JSON document under
 * {@code doc}, plus an optional secondary key and expiry that subclasses derive from the record. Etags are Cosmos's own
 * {@code _etag} (kept bare, as the ports expect) and writes naming one are sent with {@code If-Match}; after a
 * rewrite that left the record as it was (re-wrapping data keys), the etag from before, as {@link RecordEtags}
 * describes.
 */
public class CosmosDocumentStore<T extends Versioned<T>> implements VersionedStore<T> {
    /** Page size of a listing that asks for 0 or fewer items. */
    public static final int DEFAULT_PAGE_SIZE = 100;
    /** Largest page a listing returns, whatever it asks for. */
    public static final int MAX_PAGE_SIZE = 1000;

    private final CosmosContainer container;
    private final CosmosRecordKind kind;
    private final RedactingCodec<T> codec;
    private final Function<T, String> secondaryKey;
    private final Function<T, Instant> expiry;
    private final UnaryOperator<String> itemId;
    /** The item property holding the lower-cased scope: the container's partition key. */
    private final String scopeField;

    /**
     * @param secondaryKey the value of the item's {@code secondaryKey} (compared case-insensitively), null for none
     * @param expiry       when the record may be deleted ({@link #deleteExpiredBefore}), null for never
     */
    CosmosDocumentStore(CosmosDatabase database, CosmosRecordKind kind, DocumentCodec<T> codec,
                        Function<T, String> secondaryKey, Function<T, Instant> expiry) {
        this(database, kind, codec, secondaryKey, expiry, CosmosDocumentStore::key);
    }

    /**
     * @param itemId the item id of a record id; by default the id lower-cased, so that ids compare
     *               case-insensitively. Another mapping must be injective and give only ids Cosmos DB allows.
     */
    CosmosDocumentStore(CosmosDatabase database, CosmosRecordKind kind, DocumentCodec<T> codec,
                        Function<T, String> secondaryKey, Function<T, Instant> expiry, UnaryOperator<String> itemId) {
        this.itemId = Objects.requireNonNull(itemId, "itemId");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.scopeField = kind.partitionKeyPath().substring(1);
        this.container = database.container(kind);
        this.codec = new RedactingCodec<>(database.protection().protect(codec), kind.description());
        this.secondaryKey = Objects.requireNonNull(secondaryKey, "secondaryKey");
        this.expiry = Objects.requireNonNull(expiry, "expiry");
    }

    CosmosDocumentStore(CosmosDatabase database, CosmosRecordKind kind, DocumentCodec<T> codec) {
        this(database, kind, codec, record -> null, record -> null);
    }

    @Override
    public Optional<T> find(String idScope, String id) {
        Objects.requireNonNull(id, "id");
        try {
            CosmosItemResponse<ObjectNode> response = container.readItem(itemId.apply(id), partition(idScope),
                    ObjectNode.class);
            return Optional.of(decode(response.getItem(), response.getETag()));
        } catch (CosmosException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw CosmosErrors.translate(e, "read the " + describe(id), describe(id));
        }
    }

    @Override
    public T create(String idScope, T record) {
        String id = idOf(record);
        try {
            CosmosItemResponse<ObjectNode> response = container.createItem(encode(idScope, record), partition(idScope),
                    new CosmosItemRequestOptions());
            return withEtag(record, response.getETag());
        } catch (CosmosException e) {
            throw CosmosErrors.translate(e, "create the " + describe(id), describe(id));
        }
    }

    @Override
    public T replace(String idScope, T record, String ifMatch) {
        String id = idOf(record);
        try {
            ObjectNode item = encode(idScope, record);
            CosmosItemResponse<ObjectNode> response = RecordEtags.conditionally(container, itemId.apply(id),
                    partition(idScope), ifMatch, options -> container.replaceItem(item, itemId.apply(id),
                            partition(idScope), options));
            return withEtag(record, response.getETag());
        } catch (CosmosException e) {
            throw CosmosErrors.translate(e, "replace the " + describe(id), describe(id));
        }
    }

    @Override
    public void delete(String idScope, String id, String ifMatch) {
        Objects.requireNonNull(id, "id");
        try {
            RecordEtags.conditionally(container, itemId.apply(id), partition(idScope), ifMatch,
                    options -> container.deleteItem(itemId.apply(id), partition(idScope), options));
        } catch (CosmosException e) {
            throw CosmosErrors.translate(e, "delete the " + describe(id), describe(id));
        }
    }

    @Override
    public Page<T> list(String idScope, int maxItems, String continuationToken) {
        return page(idScope, null, maxItems, continuationToken);
    }

    /** The records whose secondary key equals {@code value} (case-insensitively), paged as {@link #list}. */
    Page<T> listBySecondaryKey(String idScope, String value, int maxItems, String continuationToken) {
        return page(idScope, Objects.requireNonNull(value, "value"), maxItems, continuationToken);
    }

    /**
     * Deletes the records, in every ID scope, whose expiry is before {@code now}; returns how many. The expiry is
     * kept as whole seconds plus nanoseconds, both exact in JSON numbers, so "before now" compares exactly.
     * The query crosses partitions; it is the periodic clean-up, not a request path.
     */
    int deleteExpiredBefore(Instant now) {
        Objects.requireNonNull(now, "now");
        SqlQuerySpec query = new SqlQuerySpec("SELECT c.id, c." + scopeField + " FROM c WHERE c.expiresAtSecond < @second"
                + " OR (c.expiresAtSecond = @second AND c.expiresAtNano < @nano)",
                List.of(new SqlParameter("@second", now.getEpochSecond()), new SqlParameter("@nano", now.getNano())));
        int deleted = 0;
        try {
            for (ObjectNode item : container.queryItems(query, new CosmosQueryRequestOptions(), ObjectNode.class)) {
                try {
                    container.deleteItem(item.path("id").asText(), new PartitionKey(item.path(scopeField).asText()),
                            new CosmosItemRequestOptions());
                    deleted++;
                } catch (CosmosException e) {
                    if (e.getStatusCode() != 404) { // 404: another clean-up got there first
                        throw e;
                    }
                }
            }
        } catch (CosmosException e) {
            throw CosmosErrors.translate(e, "delete expired " + kind.description() + "s");
        }
        return deleted;
    }

    /**
     * Keyset paging on the item id within one partition: a page asks for one item more than it returns, so a
     * full last page has no continuation token, and the token (the last id, tied to this listing) stays valid
     * whatever is written between pages. Cosmos's own continuation tokens cannot promise the first.
     */
    private Page<T> page(String idScope, String secondary, int maxItems, String continuationToken) {
        Objects.requireNonNull(idScope, "idScope");
        int size = maxItems <= 0 ? DEFAULT_PAGE_SIZE : Math.min(maxItems, MAX_PAGE_SIZE);
        String scopeKey = key(idScope);
        String secondaryValue = secondary == null ? null : key(secondary);
        String listing = kind.containerName() + "\n" + scopeKey + (secondary == null ? "" : "\n" + secondaryValue);
        String after = continuationToken == null ? null : ContinuationToken.decode(listing, continuationToken);

        List<SqlParameter> parameters = new ArrayList<>();
        parameters.add(new SqlParameter("@idScope", scopeKey));
        StringBuilder sql = new StringBuilder("SELECT TOP " + (size + 1) + " * FROM c WHERE c." + scopeField
                + " = @idScope");
        if (secondary != null) {
            sql.append(" AND c.secondaryKey = @secondaryKey");
            parameters.add(new SqlParameter("@secondaryKey", secondaryValue));
        }
        if (after != null) {
            sql.append(" AND c.id > @after");
            parameters.add(new SqlParameter("@after", after));
        }
        sql.append(" ORDER BY c.id");
        CosmosQueryRequestOptions options = new CosmosQueryRequestOptions().setPartitionKey(partition(idScope));

        List<T> items = new ArrayList<>(Math.min(size, 64));
        String lastKey = null;
        boolean more = false;
        try {
            outer:
            for (FeedResponse<ObjectNode> response : container.queryItems(new SqlQuerySpec(sql.toString(), parameters),
                    options, ObjectNode.class).iterableByPage(size + 1)) {
                for (ObjectNode item : response.getResults()) {
                    if (items.size() == size) {
                        more = true;
                        break outer;
                    }
                    lastKey = item.path("id").asText();
                    items.add(decode(item, item.path("_etag").asText(null)));
                }
            }
        } catch (CosmosException e) {
            throw CosmosErrors.translate(e, "list " + kind.description() + "s");
        }
        return new Page<>(items, more ? ContinuationToken.encode(listing, lastKey) : null);
    }

    private ObjectNode encode(String idScope, T record) {
        String id = idOf(record);
        JsonNode document;
        try {
            document = Json.parseStored(codec.encode(record, id));
        } catch (IllegalStateException e) {
            throw new StoreException("Could not encode the " + describe(id) + " for storage");
        }
        ObjectNode item = Json.object();
        item.put("id", itemId.apply(id));
        item.put(scopeField, key(Objects.requireNonNull(idScope, "idScope")));
        String secondary = secondaryKey.apply(record);
        if (secondary != null) {
            item.put("secondaryKey", key(secondary));
        }
        Instant expiresAt = expiry.apply(record);
        if (expiresAt != null) {
            item.put("expiresAtSecond", expiresAt.getEpochSecond());
            item.put("expiresAtNano", expiresAt.getNano());
        }
        item.set("doc", document);
        return item;
    }

    /** The record in {@code item}, whose Cosmos etag is {@code cosmosEtag}. */
    private T decode(ObjectNode item, String cosmosEtag) {
        String id = item.path("id").asText();
        JsonNode document = item.get("doc");
        if (document == null || !document.isObject()) {
            throw new StoreException("The stored " + describe(id) + " has no document");
        }
        // The item's etag is the authority, whatever the document says: its _etag, or the record etag a rewrite kept.
        return withEtag(codec.decode(Json.string(document), id), RecordEtags.of(item, cosmosEtag));
    }

    private static <T extends Versioned<T>> T withEtag(T record, String cosmosEtag) {
        return record.withVersion(record.version().withEtag(ETags.unquote(cosmosEtag)));
    }

    private static PartitionKey partition(String idScope) {
        return new PartitionKey(key(Objects.requireNonNull(idScope, "idScope")));
    }

    private static String key(String value) {
        return value.toLowerCase(Locale.ROOT);
    }

    private static String idOf(Versioned<?> record) {
        return Objects.requireNonNull(Objects.requireNonNull(record, "record").id(), "record id");
    }

    private String describe(String id) {
        return kind.description() + " '" + id + "'";
    }
}
