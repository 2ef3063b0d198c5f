package dev.opendps.allocation.multitenancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.allocation.webhook.WebhookAnswer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SalesRecordsBulkLoadTest {
    @TempDir
    Path dir;

    @Test
    void replacesAllRecordsAndCountsThem() {
        JsonFileSalesRecords records = new JsonFileSalesRecords(dir.resolve("records.json"));

        WebhookAnswer answer = new SalesRecordsBulkLoad(records).replace(LedgerFixtures.DOCUMENT);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.bodyText()).isEqualTo("{\"tenants\":2,\"sales\":3}");
        assertThat(records.soldAsRegistrationId("thermostat-0001")).isPresent();
    }

    @Test
    void aSaleToAnUnknownTenantIs400AndChangesNothing() {
        JsonFileSalesRecords records = new JsonFileSalesRecords(dir.resolve("records.json"));
        SalesRecordsBulkLoad bulkLoad = new SalesRecordsBulkLoad(records);
        bulkLoad.replace(LedgerFixtures.DOCUMENT);

        WebhookAnswer answer = bulkLoad.replace("""
                {"tenants":{"a":{"hubs":["h"]}},"sales":[{"registrationId":"new-device","tenant":"initech"}]}""");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.bodyText()).isEqualTo("{\"message\":\"sales[0] names the unknown tenant 'initech'\"}");
        assertThat(records.soldAsRegistrationId("thermostat-0001")).isPresent();
        assertThat(records.soldAsRegistrationId("new-device")).isEmpty();
    }

    @Test
    void malformedJsonIs400() {
        WebhookAnswer answer = new SalesRecordsBulkLoad(ledger -> {
            throw new AssertionError("must not be stored");
        }).replace("{\"tenants\":");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body().get("message").asText()).startsWith("The request body is not valid JSON");
    }

    @Test
    void aStorageFailureKeepsThePreviousRecordsAndSaysSo() {
        WebhookAnswer answer = new SalesRecordsBulkLoad(ledger -> {
            throw new IOException("disk full");
        }).replace(LedgerFixtures.DOCUMENT);

        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.body().get("message").asText()).contains("previous records stay in force");
    }
}
