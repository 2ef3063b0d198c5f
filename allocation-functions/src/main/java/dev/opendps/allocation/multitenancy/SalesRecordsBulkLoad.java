package dev.opendps.allocation.multitenancy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.allocation.config.InvalidDocumentException;
import dev.opendps.allocation.webhook.AllocationRequestJson;
import dev.opendps.allocation.webhook.MalformedRequestException;
import dev.opendps.allocation.webhook.WebhookAnswer;
import dev.opendps.wire.Json;
import java.io.IOException;
import java.util.Objects;

/**
 * The admin upload of the multitenancy records ({@code PUT /api/allocation/multitenancy/records}): the body is
 * a whole records document ({@link SalesLedgerJson}), validated in full and then swapped in at once. A
 * malformed or inconsistent document (a sale naming an unknown tenant, a device sold twice) is a 400 and
 * changes nothing.
 */
public final class SalesRecordsBulkLoad {
    private static final System.Logger LOG = System.getLogger(SalesRecordsBulkLoad.class.getName());

    private final SalesRecordsReplacement records;

    public SalesRecordsBulkLoad(SalesRecordsReplacement records) {
        this.records = Objects.requireNonNull(records, "records");
    }

    public WebhookAnswer replace(String body) {
        SalesLedger ledger;
        try {
            ledger = SalesLedgerJson.read(AllocationRequestJson.parseObject(body));
        } catch (MalformedRequestException | InvalidDocumentException e) {
            return WebhookAnswer.refusal(400, e.getMessage());
        }
        try {
            records.replaceAll(ledger);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "Could not store the multitenancy records", e);
            return WebhookAnswer.refusal(500, "The records could not be stored (" + e.getClass().getSimpleName()
                    + "); the previous records stay in force.");
        }
        ObjectNode body200 = Json.object();
        body200.put("tenants", ledger.tenants().size());
        body200.put("sales", ledger.sales().size());
        return new WebhookAnswer(200, body200);
    }
}
