package dev.opendps.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.Versioned;
import dev.opendps.domain.port.StoreUnavailableException;
import dev.opendps.service.BulkMode;
import dev.opendps.wire.ETags;
import dev.opendps.wire.Json;

/**
 * A bulk enrollment operation (dps-protocol.md §4.4): each record is applied on its own, and the answer
 * is 200 with {@code isSuccessful} and one error per failed record, so one bad record does not stop the rest.
 * A record the store could not take (throttled, unavailable) is such an error too, {@code 429001} or
 * {@code 503001}: the answer says exactly which records to send again.
 */
final class BulkOperation {
    private BulkOperation() {
    }

    static <T extends Versioned<T>> ObjectNode run(ObjectNode body, RecordEndpoint<T> endpoint,
                                                                       String idScope) {
        JsonNode modeNode = body.get("mode");
        if (modeNode == null || !modeNode.isTextual()) {
            throw new ProvisioningException(ErrorCode.INVALID_BULK_OPERATION, "'mode' is required.");
        }
        BulkMode mode = BulkMode.fromWire(modeNode.asText());
        JsonNode items = body.get(endpoint.bulkField());
        if (items == null || !items.isArray() || items.isEmpty()) {
            throw new ProvisioningException(ErrorCode.INVALID_BULK_OPERATION,
                    "'" + endpoint.bulkField() + "' must be a non-empty array.");
        }
        if (items.size() > BulkMode.MAX_ITEMS) {
            throw new ProvisioningException(ErrorCode.INVALID_BULK_OPERATION,
                    "A bulk operation takes at most " + BulkMode.MAX_ITEMS + " records.");
        }
        ArrayNode errors = Json.array();
        for (JsonNode item : items) {
            String id = item.path(endpoint.idField()).isTextual() ? item.get(endpoint.idField()).asText() : null;
            try {
                if (!item.isObject() || id == null || id.isEmpty()) {
                    throw new ProvisioningException(ErrorCode.INVALID_ARGUMENT,
                            "Each record needs '" + endpoint.idField() + "'.");
                }
                // A delete needs only the id and the optional etag; the rest of the record may be anything.
                T record = mode == BulkMode.DELETE ? null : endpoint.reader().apply(item);
                String etag = item.path("etag").isTextual() ? ETags.unquote(item.get("etag").asText()) : null;
                endpoint.records().bulkItem(idScope, mode, id, record, etag);
            } catch (ProvisioningException e) {
                addError(errors, endpoint.idField(), id, e);
            } catch (StoreUnavailableException e) {
                addError(errors, endpoint.idField(), id, ApiCall.retryLater(e));
            }
        }
        ObjectNode result = Json.object();
        result.put("isSuccessful", errors.isEmpty());
        result.set("errors", errors);
        return result;
    }

    private static void addError(ArrayNode errors, String idField, String id, ProvisioningException e) {
        ObjectNode error = errors.addObject();
        error.put(idField, id);
        error.put("errorCode", e.errorCode().code());
        error.put("errorStatus", e.getMessage());
    }
}
