package dev.opendps.adapters.cosmos;

import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosItemRequestOptions;
import com.azure.cosmos.models.CosmosItemResponse;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.PartitionKey;
import com.azure.cosmos.models.SqlParameter;
import com.azure.cosmos.models.SqlQuerySpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.adapters.RedactingCodec;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.port.InstanceStore;
import dev.opendps.domain.port.RecordAlreadyExistsException;
import dev.opendps.domain.port.StoreException;
import dev.opendps.wire.ETags;
import dev.opendps.wire.Json;
import dev.opendps.wire.StorageCodecs;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Provisioning service instances in Cosmos DB: one item per instance in the {@code instances} container, with the
 * lower-cased ID scope as item id and the lower-cased host name under {@value #HOST_NAME_FIELD}.
 *
 * <p>Both must be unique across all instances, and Cosmos DB can only promise uniqueness inside one logical
 * partition (the item id, and a container's unique keys). So every instance lives in one logical partition
 * ({@value #PARTITION_KEY_PATH} = {@value #PARTITION}) and the container has a unique key on the host name:
 * a create is one write that fails with 409 if either the ID scope or the host name is taken, and a replace
 * that renames the host onto a taken one fails the same way, with no second item to keep in step. A lookup by
 * ID scope (every device request) is a point read; a lookup by host name (the service API) is a query on one
 * indexed property inside that one partition. Instances are few and small, far from a partition's 20 GB; the
 * partition's throughput ceiling (10,000 RU/s) is the price, about ten thousand point reads a second.
 */
public final class CosmosInstanceStore implements InstanceStore {
    static final String PARTITION_KEY_PATH = "/partition";
    static final String HOST_NAME_FIELD = "hostName";
    static final String HOST_NAME_PATH = "/" + HOST_NAME_FIELD;
    /** The value of the partition key on every instance item. */
    static final String PARTITION = "instances";
    private static final String DESCRIPTION = CosmosRecordKind.INSTANCE.description();
    /** The partition key is named in the query as well as in the request options, as the test server requires. */
    private static final String IN_PARTITION = "SELECT * FROM c WHERE c." + PARTITION_KEY_PATH.substring(1)
            + " = @partition";
    private static final SqlParameter PARTITION_PARAMETER = new SqlParameter("@partition", PARTITION);

    private final CosmosContainer container;
    private final RedactingCodec<ProvisioningInstance> codec;

    public CosmosInstanceStore(CosmosDatabase database) {
        this.container = Objects.requireNonNull(database, "database").container(CosmosRecordKind.INSTANCE);
        // Policy keys and linked-hub connection strings are secrets: sealed like every other store's.
        this.codec = new RedactingCodec<>(database.protection().protect(StorageCodecs.instances()), DESCRIPTION);
    }

    @Override
    public Optional<ProvisioningInstance> findByHostName(String hostName) {
        Objects.requireNonNull(hostName, "hostName");
        List<ProvisioningInstance> found = query(new SqlQuerySpec(IN_PARTITION + " AND c." + HOST_NAME_FIELD
                + " = @hostName", List.of(PARTITION_PARAMETER, new SqlParameter("@hostName", key(hostName)))),
                "read the " + DESCRIPTION + " '" + hostName + "'");
        return found.stream().findFirst();
    }

    @Override
    public Optional<ProvisioningInstance> findByIdScope(String idScope) {
        Objects.requireNonNull(idScope, "idScope");
        try {
            CosmosItemResponse<ObjectNode> response = container.readItem(key(idScope), partition(), ObjectNode.class);
            return Optional.of(decode(response.getItem(), response.getETag()));
        } catch (CosmosException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw CosmosErrors.translate(e, "read the " + DESCRIPTION + " '" + idScope + "'");
        }
    }

    @Override
    public ProvisioningInstance create(ProvisioningInstance instance) {
        ObjectNode item = encode(instance);
        try {
            CosmosItemResponse<ObjectNode> response = container.createItem(item, partition(),
                    new CosmosItemRequestOptions());
            return instance.withEtag(ETags.unquote(response.getETag()));
        } catch (CosmosException e) {
            if (e.getStatusCode() == 409) {
                throw new RecordAlreadyExistsException("A " + DESCRIPTION + " with host name '" + instance.hostName()
                        + "' or ID scope '" + instance.idScope() + "' already exists.");
            }
            throw CosmosErrors.translate(e, "create the " + describe(instance), describe(instance));
        }
    }

    @Override
    public ProvisioningInstance replace(ProvisioningInstance instance, String ifMatch) {
        ObjectNode item = encode(instance);
        String id = key(instance.idScope());
        try {
            CosmosItemResponse<ObjectNode> response = RecordEtags.conditionally(container, id, partition(), ifMatch,
                    options -> container.replaceItem(item, id, partition(), options));
            return instance.withEtag(ETags.unquote(response.getETag()));
        } catch (CosmosException e) {
            if (e.getStatusCode() == 409) { // the unique key: the new host name is another instance's
                throw new RecordAlreadyExistsException("Another " + DESCRIPTION + " has the host name '"
                        + instance.hostName() + "'.");
            }
            throw CosmosErrors.translate(e, "replace the " + describe(instance), describe(instance));
        }
    }

    @Override
    public List<ProvisioningInstance> list() {
        return query(new SqlQuerySpec(IN_PARTITION + " ORDER BY c.id", List.of(PARTITION_PARAMETER)),
                "list " + DESCRIPTION + "s");
    }

    private List<ProvisioningInstance> query(SqlQuerySpec query, String action) {
        CosmosQueryRequestOptions options = new CosmosQueryRequestOptions().setPartitionKey(partition());
        List<ProvisioningInstance> instances = new ArrayList<>();
        try {
            for (ObjectNode item : container.queryItems(query, options, ObjectNode.class)) {
                instances.add(decode(item, item.path("_etag").asText(null)));
            }
        } catch (CosmosException e) {
            throw CosmosErrors.translate(e, action);
        }
        return instances;
    }

    private ObjectNode encode(ProvisioningInstance instance) {
        Objects.requireNonNull(instance, "instance");
        String idScope = Objects.requireNonNull(instance.idScope(), "idScope");
        String hostName = Objects.requireNonNull(instance.hostName(), "hostName");
        JsonNode document;
        try {
            document = Json.parseStored(codec.encode(instance, idScope));
        } catch (IllegalStateException e) {
            throw new StoreException("Could not encode the " + describe(instance) + " for storage");
        }
        ObjectNode item = Json.object();
        item.put("id", key(idScope));
        item.put(PARTITION_KEY_PATH.substring(1), PARTITION);
        item.put(HOST_NAME_FIELD, key(hostName));
        item.set("doc", document);
        return item;
    }

    private ProvisioningInstance decode(ObjectNode item, String etag) {
        String id = item.path("id").asText();
        JsonNode document = item.get("doc");
        if (document == null || !document.isObject()) {
            throw new StoreException("The stored " + DESCRIPTION + " '" + id + "' has no document");
        }
        // The item's etag is the authority, whatever the document says: its _etag, or the record etag a rewrite kept.
        return codec.decode(Json.string(document), id).withEtag(RecordEtags.of(item, etag));
    }

    private static PartitionKey partition() {
        return new PartitionKey(PARTITION);
    }

    private static String key(String value) {
        return value.toLowerCase(Locale.ROOT);
    }

    private static String describe(ProvisioningInstance instance) {
        return DESCRIPTION + " with ID scope '" + instance.idScope() + "'";
    }
}
