package dev.opendps.allocation.multitenancy;

import static dev.opendps.allocation.multitenancy.LedgerFixtures.CONTOSO_EU;
import static dev.opendps.allocation.multitenancy.LedgerFixtures.CONTOSO_US;
import static dev.opendps.allocation.multitenancy.LedgerFixtures.FABRIKAM;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.allocation.webhook.AllocationDecision;
import dev.opendps.allocation.webhook.AllocationDecision.Assign;
import dev.opendps.allocation.webhook.AllocationDecision.Refuse;
import dev.opendps.allocation.webhook.RequestBody;
import dev.opendps.allocation.webhook.StableHash;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MultitenancyAllocatorTest {
    private final SalesLedger ledger = LedgerFixtures.ledger();
    private final MultitenancyAllocator allocator = new MultitenancyAllocator(new SalesRecords() {
        @Override
        public Optional<Sale> soldAsRegistrationId(String registrationId) {
            return ledger.soldAsRegistrationId(registrationId);
        }

        @Override
        public Optional<Sale> soldAsSerialNumber(String serialNumber) {
            return ledger.soldAsSerialNumber(serialNumber);
        }
    }, ledger::tenant);

    @Test
    void aDeviceSoldByRegistrationIdGoesToItsTenantsHubWithTenantTags() {
        AllocationDecision decision = allocator.allocate(RequestBody.device("thermostat-0001")
                .linkedHubs(FABRIKAM, CONTOSO_EU).parsed());

        Assign assign = (Assign) decision;
        assertThat(assign.iotHubHostName()).isEqualTo(CONTOSO_EU);
        assertThat(assign.initialTwin().tags().toString())
                .isEqualTo("{\"plan\":\"gold\",\"tenant\":\"contoso\",\"tenantName\":\"Contoso Ltd\"}");
        assertThat(assign.initialTwin().desiredProperties().toString()).isEqualTo("{\"interval\":30}");
        assertThat(assign.payload().toString())
                .isEqualTo("{\"support\":\"https://support.contoso.example\",\"tenant\":\"contoso\"}");
    }

    @Test
    void aDeviceSoldBySerialNumberIsFoundByItsPayload() {
        Assign assign = (Assign) allocator.allocate(RequestBody.device("unknown-id")
                .payload("{\"serialNumber\":\"SN-7734\"}").linkedHubs(CONTOSO_EU, FABRIKAM).parsed());

        assertThat(assign.iotHubHostName()).isEqualTo(FABRIKAM);
        assertThat(assign.initialTwin().tags().toString()).isEqualTo("{\"tenant\":\"fabrikam\",\"tenantName\":\"Fabrikam\"}");
    }

    @Test
    void theRegistrationIdWinsOverAClaimedSerialNumber() {
        Assign assign = (Assign) allocator.allocate(RequestBody.device("thermostat-0001")
                .payload("{\"serialNumber\":\"SN-7734\"}").linkedHubs(CONTOSO_EU, FABRIKAM).parsed());

        assertThat(assign.iotHubHostName()).isEqualTo(CONTOSO_EU);
    }

    @Test
    void theEnrollmentsTwinIsKeptUnderTheTenants() {
        Assign assign = (Assign) allocator.allocate(RequestBody.device("thermostat-0001").linkedHubs(CONTOSO_US)
                .enrollmentInitialTwin("{\"tags\":{\"plan\":\"basic\",\"floor\":2},\"properties\":{\"desired\":{\"x\":1}}}")
                .parsed());

        assertThat(assign.initialTwin().tags().toString())
                .isEqualTo("{\"plan\":\"gold\",\"floor\":2,\"tenant\":\"contoso\",\"tenantName\":\"Contoso Ltd\"}");
        assertThat(assign.initialTwin().desiredProperties().toString()).isEqualTo("{\"x\":1,\"interval\":30}");
    }

    @Test
    void aTenantWithSeveralOfferedHubsSpreadsDevicesByTheStableHash() {
        List<String> offered = List.of(CONTOSO_EU, CONTOSO_US);
        Assign assign = (Assign) allocator.allocate(RequestBody.device("thermostat-0001")
                .linkedHubs(CONTOSO_US, FABRIKAM, CONTOSO_EU).parsed());

        assertThat(assign.iotHubHostName()).isEqualTo(StableHash.choose("thermostat-0001", offered).orElseThrow());
    }

    @Test
    void anUnsoldDeviceIsRefusedAsUnknown() {
        Refuse refuse = (Refuse) allocator.allocate(RequestBody.device("stolen-1").linkedHubs(CONTOSO_EU).parsed());

        assertThat(refuse.status()).isEqualTo(404);
        assertThat(refuse.reason()).isEqualTo(
                "No sales record for the device 'stolen-1' (by registration id; its payload has no serialNumber).");
    }

    @Test
    void anUnsoldSerialNumberIsRefusedWithoutQuotingIt() {
        Refuse refuse = (Refuse) allocator.allocate(RequestBody.device("stolen-1")
                .payload("{\"serialNumber\":\"SN-0000\"}").linkedHubs(CONTOSO_EU).parsed());

        assertThat(refuse.status()).isEqualTo(404);
        assertThat(refuse.reason()).contains("or by the serialNumber in its payload").doesNotContain("SN-0000");
    }

    @Test
    void aTenantWithoutAnOfferedHubIsRefused() {
        Refuse refuse = (Refuse) allocator.allocate(RequestBody.device("sensor-9").linkedHubs(CONTOSO_EU).parsed());

        assertThat(refuse.status()).isEqualTo(400);
        assertThat(refuse.reason()).isEqualTo("The tenant 'fabrikam' has no hub among those offered ["
                + CONTOSO_EU + "] (its hubs: [" + FABRIKAM + "]).");
    }

    @Test
    void aTenantMissingFromTheDirectoryIsRefused() {
        MultitenancyAllocator withoutTenants = new MultitenancyAllocator(new SalesRecords() {
            @Override
            public Optional<Sale> soldAsRegistrationId(String registrationId) {
                return Optional.of(new Sale(registrationId, null, "gone", null));
            }

            @Override
            public Optional<Sale> soldAsSerialNumber(String serialNumber) {
                return Optional.empty();
            }
        }, id -> Optional.empty());

        Refuse refuse = (Refuse) withoutTenants.allocate(RequestBody.device("d1").linkedHubs(CONTOSO_EU).parsed());

        assertThat(refuse.reason()).contains("tenant 'gone', which is not in the tenant directory");
    }
}
