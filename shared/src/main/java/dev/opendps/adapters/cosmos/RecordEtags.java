package dev.opendps.adapters.cosmos;

import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosItemRequestOptions;
import com.azure.cosmos.models.CosmosItemResponse;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.wire.ETags;
import java.util.function.Function;

/**
 * The etag a record shows (the ports', hence the APIs' {@code etag}), and writes conditional on it, over Cosmos
 * DB items whose {@code _etag} a rewrite may have moved.
 *
 * <p>A record's etag is its item's Cosmos {@code _etag}, except after {@link CosmosDatabase#rewriteDocuments} has
 * replaced the item without changing the record (re-wrapping data keys): Cosmos gives every replace a new
 * {@code _etag}, so the pass keeps the record's etag from before in the item's {@value #FIELD}, and the record
 * goes on showing that. A write naming it still succeeds: Cosmos refuses it (412, the {@code _etag} moved), the
 * item is read, and if its {@value #FIELD} is the etag the writer named, the write is sent again with the
 * {@code _etag} just read. So a client's {@code If-Match}, and the stores' own read-then-write rounds, are not
 * failed by a pass that changed nothing they can see, and a record written since (whose item has no
 * {@value #FIELD}: every ordinary write makes the item afresh) still fails them as it must. The cost, one read
 * and one more write, falls only on the first write after a pass, never on a read.
 */
final class RecordEtags {
    /** The item property holding the record's etag when it is not the item's {@code _etag}. */
    static final String FIELD = "recordEtag";
    /** Rewrites of one item a conditional write rides out between its read and its write (they are rare). */
    static final int MAX_REWRITTEN_RETRIES = 3;

    private RecordEtags() {
    }

    /** The bare etag of the record in {@code item}, whose Cosmos etag is {@code cosmosEtag}. */
    static String of(ObjectNode item, String cosmosEtag) {
        JsonNode kept = item.get(FIELD);
        return kept != null && kept.isTextual() && !kept.asText().isEmpty() ? kept.asText() : ETags.unquote(cosmosEtag);
    }

    /** {@link #of(ObjectNode, String)} of an item as a query or a read returns it, {@code _etag} and all. */
    static String of(ObjectNode item) {
        return of(item, item.path("_etag").asText(null));
    }

    /**
     * Runs {@code write} (a replace or a delete of the item {@code itemId}) conditional on the record etag
     * {@code ifMatch} (null: unconditional), as the class describes. A {@link CosmosException} it ends with is the
     * caller's to translate: 412 if the record was written since, 404 if it is gone.
     */
    static <R> R conditionally(CosmosContainer container, String itemId, PartitionKey partition, String ifMatch,
                               Function<CosmosItemRequestOptions, R> write) {
        String expected = ETags.unquote(ifMatch);
        if (expected == null || "*".equals(expected)) {
            return write.apply(new CosmosItemRequestOptions());
        }
        try {
            return write.apply(ifMatch(expected));
        } catch (CosmosException refused) {
            if (refused.getStatusCode() != 412) {
                throw refused;
            }
            CosmosException last = refused;
            for (int attempt = 0; attempt < MAX_REWRITTEN_RETRIES; attempt++) {
                CosmosItemResponse<ObjectNode> current = container.readItem(itemId, partition, ObjectNode.class);
                if (!expected.equals(of(current.getItem(), current.getETag()))) {
                    throw last; // written since the writer's read: a real mismatch
                }
                try {
                    return write.apply(ifMatch(ETags.unquote(current.getETag())));
                } catch (CosmosException again) {
                    if (again.getStatusCode() != 412) {
                        throw again;
                    }
                    last = again; // changed between this read and this write: look again
                }
            }
            throw last;
        }
    }

    /** Cosmos compares If-Match with its quoted etag; the ports hand etags around bare. */
    static CosmosItemRequestOptions ifMatch(String bare) {
        return new CosmosItemRequestOptions().setIfMatchETag(ETags.quote(bare));
    }
}
