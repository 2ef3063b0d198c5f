package dev.opendps.allocation.multitenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.allocation.config.ConfigJson;
import dev.opendps.allocation.config.InvalidDocumentException;
import org.junit.jupiter.api.Test;

class SalesLedgerJsonTest {
    private static SalesLedger read(String json) {
        return SalesLedgerJson.read(ConfigJson.parseObject(json, "records"));
    }

    @Test
    void readsTenantsAndSales() {
        SalesLedger ledger = LedgerFixtures.ledger();

        assertThat(ledger.tenants()).extracting(Tenant::id).containsExactly("contoso", "fabrikam");
        assertThat(ledger.soldAsRegistrationId("thermostat-0001")).map(Sale::tenantId).contains("contoso");
        assertThat(ledger.soldAsRegistrationId("sensor-9")).map(Sale::tenantId).contains("fabrikam");
        assertThat(ledger.soldAsSerialNumber("SN-7734")).map(Sale::tenantId).contains("fabrikam");
        assertThat(ledger.soldAsSerialNumber("sn-7734")).isEmpty();
    }

    @Test
    void aSaleToAnUnknownTenantIsRefused() {
        assertThatThrownBy(() -> read("""
                {"tenants":{"contoso":{"hubs":["h"]}},"sales":[{"registrationId":"d1","tenant":"initech"}]}"""))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessage("sales[0] names the unknown tenant 'initech'");
    }

    @Test
    void aDeviceSoldTwiceIsRefused() {
        assertThatThrownBy(() -> read("""
                {"tenants":{"a":{"hubs":["h"]},"b":{"hubs":["h"]}},
                 "sales":[{"registrationId":"d1","tenant":"a"},{"registrationId":"D1","tenant":"b"}]}"""))
                .hasMessage("sales[1]: registration id 'D1' is sold twice");
        assertThatThrownBy(() -> read("""
                {"tenants":{"a":{"hubs":["h"]}},
                 "sales":[{"serialNumber":"S","tenant":"a"},{"serialNumber":"S","tenant":"a"}]}"""))
                .hasMessage("sales[1]: serial number 'S' is sold twice");
    }

    @Test
    void aSaleMustNameTheDeviceAndTheTenant() {
        assertThatThrownBy(() -> read("{\"tenants\":{\"a\":{}},\"sales\":[{\"tenant\":\"a\"}]}"))
                .hasMessage("sales[0] names neither a registrationId nor a serialNumber");
        assertThatThrownBy(() -> read("{\"sales\":[{\"registrationId\":\"d\"}]}"))
                .hasMessage("sales[0] has no tenant");
        assertThatThrownBy(() -> read("{\"tenants\":{\"a\":{\"hubs\":\"h\"}}}"))
                .hasMessage("tenants.a.hubs must be an array of strings");
        assertThatThrownBy(() -> read("{\"sales\":{}}")).hasMessage("records.sales must be an array");
    }

    @Test
    void writingAndReadingAgainKeepsEverything() {
        SalesLedger ledger = LedgerFixtures.ledger();

        SalesLedger again = SalesLedgerJson.read(SalesLedgerJson.write(ledger));

        assertThat(again.tenants()).isEqualTo(ledger.tenants());
        assertThat(again.sales()).isEqualTo(ledger.sales());
    }
}
