package dev.opendps.allocation.multitenancy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.allocation.config.ConfigJson;
import dev.opendps.allocation.config.InvalidDocumentException;
import dev.opendps.allocation.webhook.InitialTwin;
import dev.opendps.wire.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The records document, in the file and in the bulk-load request:
 * <pre>
 * {"tenants": {"contoso": {"name": "Contoso Ltd", "hubs": ["contoso-1.azure-devices.net"],
 *                          "initialTwin": {"tags": {…}, "properties": {"desired": {…}}}, "payload": {…}}},
 *  "sales": [{"registrationId": "thermostat-0001", "tenant": "contoso", "transactionId": "T-1001"},
 *            {"serialNumber": "SN-7734", "tenant": "contoso"}]}
 * </pre>
 * Read strictly: a wrong shape is an {@link InvalidDocumentException} naming the field.
 */
public final class SalesLedgerJson {
    private SalesLedgerJson() {
    }

    public static SalesLedger read(ObjectNode document) {
        List<Tenant> tenants = new ArrayList<>();
        ObjectNode tenantsNode = ConfigJson.object(document, "tenants", "records");
        if (tenantsNode != null) {
            Iterator<Map.Entry<String, JsonNode>> fields = tenantsNode.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                tenants.add(tenant(field.getKey(), field.getValue()));
            }
        }
        List<Sale> sales = new ArrayList<>();
        JsonNode salesNode = document.get("sales");
        if (salesNode != null && !salesNode.isNull()) {
            if (!salesNode.isArray()) {
                throw new InvalidDocumentException("records.sales must be an array");
            }
            for (int i = 0; i < salesNode.size(); i++) {
                sales.add(sale(salesNode.get(i), "sales[" + i + "]"));
            }
        }
        return new SalesLedger(tenants, sales);
    }

    public static ObjectNode write(SalesLedger ledger) {
        ObjectNode document = Json.object();
        ObjectNode tenants = document.putObject("tenants");
        for (Tenant tenant : ledger.tenants()) {
            ObjectNode node = tenants.putObject(tenant.id());
            node.put("name", tenant.name());
            tenant.hubs().forEach(node.putArray("hubs")::add);
            node.set("initialTwin", tenant.initialTwin().toJson());
            if (tenant.payload() != null) {
                node.set("payload", tenant.payload());
            }
        }
        ArrayNode sales = document.putArray("sales");
        for (Sale sale : ledger.sales()) {
            ObjectNode node = sales.addObject();
            putIfNotNull(node, "registrationId", sale.registrationId());
            putIfNotNull(node, "serialNumber", sale.serialNumber());
            node.put("tenant", sale.tenantId());
            putIfNotNull(node, "transactionId", sale.transactionId());
        }
        return document;
    }

    private static Tenant tenant(String id, JsonNode node) {
        String where = "tenants." + id;
        if (id.isBlank()) {
            throw new InvalidDocumentException("A tenant id must not be empty");
        }
        if (!node.isObject()) {
            throw new InvalidDocumentException(where + " must be a JSON object");
        }
        return new Tenant(id, ConfigJson.string(node, "name", where), ConfigJson.strings(node, "hubs", where),
                InitialTwin.fromConfig(node.get("initialTwin"), where + ".initialTwin"),
                ConfigJson.object(node, "payload", where));
    }

    private static Sale sale(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new InvalidDocumentException(where + " must be a JSON object");
        }
        String registrationId = blankToNull(ConfigJson.string(node, "registrationId", where));
        String serialNumber = blankToNull(ConfigJson.string(node, "serialNumber", where));
        String tenant = blankToNull(ConfigJson.string(node, "tenant", where));
        if (tenant == null) {
            throw new InvalidDocumentException(where + " has no tenant");
        }
        if (registrationId == null && serialNumber == null) {
            throw new InvalidDocumentException(where + " names neither a registrationId nor a serialNumber");
        }
        return new Sale(registrationId, serialNumber, tenant, blankToNull(ConfigJson.string(node, "transactionId", where)));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static void putIfNotNull(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
