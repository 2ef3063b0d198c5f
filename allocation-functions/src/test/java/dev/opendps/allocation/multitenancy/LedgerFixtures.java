package dev.opendps.allocation.multitenancy;

import dev.opendps.allocation.config.ConfigJson;

/** A small records document: two tenants, three sales. */
final class LedgerFixtures {
    static final String CONTOSO_EU = "contoso-eu.azure-devices.net";
    static final String CONTOSO_US = "contoso-us.azure-devices.net";
    static final String FABRIKAM = "fabrikam.azure-devices.net";

    static final String DOCUMENT = """
            {"tenants": {
               "contoso": {"name": "Contoso Ltd", "hubs": ["%s", "%s"],
                           "initialTwin": {"tags": {"plan": "gold"}, "properties": {"desired": {"interval": 30}}},
                           "payload": {"support": "https://support.contoso.example"}},
               "fabrikam": {"name": "Fabrikam", "hubs": ["%s"]}},
             "sales": [
               {"registrationId": "thermostat-0001", "tenant": "contoso", "transactionId": "T-1001"},
               {"serialNumber": "SN-7734", "tenant": "fabrikam"},
               {"registrationId": "Sensor-9", "serialNumber": "SN-9", "tenant": "fabrikam"}]}
            """.formatted(CONTOSO_EU, CONTOSO_US, FABRIKAM);

    private LedgerFixtures() {
    }

    static SalesLedger ledger() {
        return SalesLedgerJson.read(ConfigJson.parseObject(DOCUMENT, "records"));
    }
}
