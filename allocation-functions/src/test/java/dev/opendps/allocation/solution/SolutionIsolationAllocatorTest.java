package dev.opendps.allocation.solution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.allocation.config.ConfigJson;
import dev.opendps.allocation.config.InvalidDocumentException;
import dev.opendps.allocation.webhook.AllocationDecision.Assign;
import dev.opendps.allocation.webhook.AllocationDecision.Refuse;
import dev.opendps.allocation.webhook.RequestBody;
import dev.opendps.allocation.webhook.StableHash;
import java.util.List;
import org.junit.jupiter.api.Test;

class SolutionIsolationAllocatorTest {
    static final String TOASTERS_1 = "toasters-1.azure-devices.net";
    static final String TOASTERS_2 = "toasters-2.azure-devices.net";
    static final String HEATPUMPS = "heatpumps.azure-devices.net";

    static final String SOLUTIONS = """
            {"kitchen": {"hubs": ["%s", "%s"], "deviceTypes": ["toaster"], "registrationIdPrefixes": ["toaster-"],
                         "initialTwin": {"tags": {"department": "food"}, "properties": {"desired": {"crispness": 3}}},
                         "payload": {"endpoint": "kitchen"}},
             "heating": {"hubs": ["%s"], "deviceTypes": ["HeatPump"], "registrationIdPrefixes": ["hp-"],
                         "enrollmentGroups": ["contoso-heatpumps"]}}
            """.formatted(TOASTERS_1, TOASTERS_2, HEATPUMPS);

    private static SolutionCatalog catalog(String json) {
        return SolutionCatalog.read(ConfigJson.parseObject(json, "ALLOCATION_SOLUTIONS"));
    }

    private final SolutionIsolationAllocator allocator = new SolutionIsolationAllocator(catalog(SOLUTIONS));

    @Test
    void theDeviceTypeInThePayloadChoosesTheSolution() {
        Assign assign = (Assign) allocator.allocate(RequestBody.device("hp-17").payload("{\"deviceType\":\"toaster\"}")
                .linkedHubs(HEATPUMPS, TOASTERS_1).parsed());

        assertThat(assign.iotHubHostName()).isEqualTo(TOASTERS_1);
        assertThat(assign.initialTwin().tags().toString()).isEqualTo("{\"department\":\"food\",\"solution\":\"kitchen\"}");
        assertThat(assign.initialTwin().desiredProperties().toString()).isEqualTo("{\"crispness\":3}");
        assertThat(assign.payload().toString()).isEqualTo("{\"endpoint\":\"kitchen\"}");
    }

    @Test
    void deviceTypesCompareCaseInsensitively() {
        Assign assign = (Assign) allocator.allocate(RequestBody.device("x").payload("{\"deviceType\":\"heatpump\"}")
                .linkedHubs(HEATPUMPS, TOASTERS_1).parsed());

        assertThat(assign.iotHubHostName()).isEqualTo(HEATPUMPS);
    }

    @Test
    void withoutADeviceTypeTheRegistrationIdPrefixDecides() {
        Assign assign = (Assign) allocator.allocate(RequestBody.device("Toaster-0042").linkedHubs(HEATPUMPS, TOASTERS_2)
                .parsed());

        assertThat(assign.iotHubHostName()).isEqualTo(TOASTERS_2);
    }

    @Test
    void otherwiseTheEnrollmentGroupDecides() {
        Assign assign = (Assign) allocator.allocate(RequestBody.device("breakroom-7").enrollmentGroup("contoso-heatpumps")
                .linkedHubs(TOASTERS_1, HEATPUMPS).parsed());

        assertThat(assign.iotHubHostName()).isEqualTo(HEATPUMPS);
        assertThat(assign.payload()).isNull();
    }

    @Test
    void anUnclaimedDeviceTypeFallsThroughToTheOtherRules() {
        Assign assign = (Assign) allocator.allocate(RequestBody.device("toaster-9").payload("{\"deviceType\":\"kettle\"}")
                .linkedHubs(TOASTERS_1).parsed());

        assertThat(assign.iotHubHostName()).isEqualTo(TOASTERS_1);
    }

    @Test
    void theSolutionsOfferedHubsAreSpreadByTheStableHash() {
        for (String id : List.of("toaster-1", "toaster-2", "toaster-3", "toaster-4")) {
            Assign assign = (Assign) allocator.allocate(RequestBody.device(id)
                    .linkedHubs(TOASTERS_2, HEATPUMPS, TOASTERS_1).parsed());
            assertThat(assign.iotHubHostName()).isEqualTo(StableHash.choose(id, List.of(TOASTERS_1, TOASTERS_2)).orElseThrow());
        }
    }

    @Test
    void anUnknownSolutionIsRefused() {
        Refuse refuse = (Refuse) allocator.allocate(RequestBody.device("kettle-1").payload("{\"deviceType\":\"kettle\"}")
                .enrollmentGroup("misc").linkedHubs(TOASTERS_1).parsed());

        assertThat(refuse.status()).isEqualTo(404);
        assertThat(refuse.reason()).isEqualTo("No solution for the device 'kettle-1': no solution has the device type "
                + "'kettle', no registration id prefix matches, and no solution has the enrollment group 'misc'.");
    }

    @Test
    void aSolutionWithoutAnOfferedHubIsRefused() {
        Refuse refuse = (Refuse) allocator.allocate(RequestBody.device("hp-1").linkedHubs(TOASTERS_1).parsed());

        assertThat(refuse.status()).isEqualTo(400);
        assertThat(refuse.reason()).startsWith("The solution 'heating' has no hub among those offered");
    }

    @Test
    void withoutSolutionsEveryDeviceIsRefused() {
        Refuse refuse = (Refuse) new SolutionIsolationAllocator(SolutionCatalog.read(null))
                .allocate(RequestBody.device("toaster-1").linkedHubs(TOASTERS_1).parsed());

        assertThat(refuse.reason()).contains("ALLOCATION_SOLUTIONS is not configured");
    }

    @Test
    void aRuleClaimedByTwoSolutionsIsAConfigurationError() {
        assertThatThrownBy(() -> catalog("""
                {"a":{"hubs":["h"],"deviceTypes":["toaster"]},"b":{"hubs":["h"],"deviceTypes":["Toaster"]}}"""))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessage("The device type 'toaster' belongs to both 'a' and 'b' in ALLOCATION_SOLUTIONS");
        assertThatThrownBy(() -> catalog("{\"a\":{\"deviceTypes\":[\"x\"]}}"))
                .hasMessage("ALLOCATION_SOLUTIONS.a has no hubs");
    }
}
