package dev.opendps.allocation.multitenancy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFileSalesRecordsTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("allocation").resolve("multitenancy.json");
    }

    private void write(String document, int secondsFromNow) throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), document);
        // Some file systems keep whole seconds: make each version's time distinct.
        Files.setLastModifiedTime(file(), FileTime.from(Instant.now().plusSeconds(secondsFromNow)));
    }

    @Test
    void noFileMeansNoRecords() {
        JsonFileSalesRecords records = new JsonFileSalesRecords(file());

        assertThat(records.soldAsRegistrationId("thermostat-0001")).isEmpty();
        assertThat(records.ledger().tenants()).isEmpty();
    }

    @Test
    void readsTheFileAtStart() throws Exception {
        write(LedgerFixtures.DOCUMENT, 0);

        JsonFileSalesRecords records = new JsonFileSalesRecords(file());

        assertThat(records.soldAsRegistrationId("thermostat-0001")).map(Sale::tenantId).contains("contoso");
        assertThat(records.tenant("fabrikam")).map(Tenant::name).contains("Fabrikam");
    }

    @Test
    void rereadsTheFileWhenItChanges() throws Exception {
        write(LedgerFixtures.DOCUMENT, 0);
        JsonFileSalesRecords records = new JsonFileSalesRecords(file());

        write("{\"tenants\":{\"initech\":{\"hubs\":[\"i.azure-devices.net\"]}},"
                + "\"sales\":[{\"registrationId\":\"thermostat-0001\",\"tenant\":\"initech\"}]}", 10);

        assertThat(records.soldAsRegistrationId("thermostat-0001")).map(Sale::tenantId).contains("initech");
        assertThat(records.tenant("contoso")).isEmpty();
    }

    @Test
    void aBrokenFileKeepsTheLastGoodRecords() throws Exception {
        write(LedgerFixtures.DOCUMENT, 0);
        JsonFileSalesRecords records = new JsonFileSalesRecords(file());

        write("{\"tenants\": {\"half-writ", 10);
        assertThat(records.soldAsRegistrationId("thermostat-0001")).map(Sale::tenantId).contains("contoso");

        write("{\"sales\":[{\"registrationId\":\"d\",\"tenant\":\"nobody\"}]}", 20);
        assertThat(records.soldAsRegistrationId("thermostat-0001")).map(Sale::tenantId).contains("contoso");
    }

    @Test
    void aDeletedFileMeansNoRecords() throws Exception {
        write(LedgerFixtures.DOCUMENT, 0);
        JsonFileSalesRecords records = new JsonFileSalesRecords(file());

        Files.delete(file());

        assertThat(records.soldAsRegistrationId("thermostat-0001")).isEmpty();
    }

    @Test
    void replacingWritesTheFileForEveryReader() throws Exception {
        JsonFileSalesRecords records = new JsonFileSalesRecords(file());

        records.replaceAll(LedgerFixtures.ledger());

        assertThat(records.soldAsSerialNumber("SN-7734")).map(Sale::tenantId).contains("fabrikam");
        JsonFileSalesRecords anotherProcess = new JsonFileSalesRecords(file());
        assertThat(anotherProcess.ledger().sales()).isEqualTo(LedgerFixtures.ledger().sales());
        try (var files = Files.list(file().getParent())) {
            assertThat(files).containsExactly(file());
        }
    }
}
