package dev.opendps.domain.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.EnrollmentSettings;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.allocation.AllocationResult.Assigned;
import dev.opendps.domain.allocation.AllocationResult.Failed;
import dev.opendps.domain.port.Records;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HubAllocationTest {
    private static final LinkedHub HUB_A = hub("hub-a.azure-devices.net", true);
    private static final LinkedHub HUB_B = hub("hub-b.azure-devices.net", true);
    private static final LinkedHub HUB_C = hub("hub-c.azure-devices.net", true);
    private static final LinkedHub EXCLUDED = hub("excluded.azure-devices.net", false);
    private static final List<String> DEVICES = IntStream.range(0, 300).mapToObj(i -> "device-" + i).toList();

    private static final GeoLocation AMSTERDAM = new GeoLocation(52.37, 4.90);
    private static final GeoLocation BRUSSELS = new GeoLocation(50.85, 4.35);
    private static final GeoLocation NEW_YORK = new GeoLocation(40.71, -74.01);
    private static final GeoLocation TOKYO = new GeoLocation(35.68, 139.77);

    private final HubAllocation allocation = new HubAllocation();

    // --- hashed and geoLatency --------------------------------------------------------------------------

    @Test
    void hashedAssignsTheWeightedHashWinnerAmongAllLinkedHubs() {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A, HUB_B, HUB_C);

        for (String device : DEVICES) {
            assertThat(hubOf(allocation.allocate(instance, enrollment(null), device)))
                    .isEqualTo(WeightedHashAllocation.choose(device, List.of(HUB_A, HUB_B, HUB_C)).orElseThrow());
        }
    }

    @Test
    void hashedUsesEveryLinkedHub() {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A, HUB_B, HUB_C);

        assertThat(assignedHubs(instance, enrollment(AllocationPolicy.HASHED))).containsExactlyInAnyOrder(
                HUB_A, HUB_B, HUB_C);
    }

    @ParameterizedTest
    @EnumSource(value = AllocationPolicy.class, names = {"HASHED", "GEO_LATENCY"})
    void hubsWithoutApplyAllocationPolicyAreNeverChosen(AllocationPolicy policy) {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A, EXCLUDED, HUB_B);

        assertThat(assignedHubs(instance, enrollment(policy))).containsExactlyInAnyOrder(HUB_A, HUB_B);
    }

    @Test
    void hubsWithoutApplyAllocationPolicyAreNotChosenEvenWhenTheEnrollmentNamesThem() {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A, EXCLUDED, HUB_B);
        EnrollmentSettings enrollment = enrollment(AllocationPolicy.HASHED, null,
                EXCLUDED.hostName(), HUB_B.hostName());

        assertThat(assignedHubs(instance, enrollment)).containsExactly(HUB_B);
    }

    @Test
    void hashedFailsWith400208WhenNoCandidateMayBeChosen() {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, EXCLUDED,
                hub("also-excluded.azure-devices.net", false));

        AllocationResult result = allocation.allocate(instance, enrollment(null), "device-1");

        assertThat(failure(result).errorCode()).isEqualTo(ErrorCode.NO_HUB);
        assertThat(failure(result).message()).contains("applyAllocationPolicy").contains(EXCLUDED.hostName());
    }

    @Test
    void geoLatencyWithoutLocationsIsTheWeightedHash() {
        ProvisioningInstance instance = instance(AllocationPolicy.GEO_LATENCY, HUB_A, HUB_B, HUB_C);

        for (String device : DEVICES) {
            assertThat(hubOf(allocation.allocate(instance, enrollment(null), device)))
                    .isEqualTo(hubOf(allocation.allocate(instance, enrollment(AllocationPolicy.HASHED), device)));
        }
    }

    @Test
    void geoLatencyPicksTheAllocatableCandidateNearestTheDevice() {
        LinkedHub nearButExcluded = hub("near.azure-devices.net", false);
        HubAllocation located = allocation.withHubLocations(HubLocations.of(Map.of(
                HUB_A.hostName(), AMSTERDAM, HUB_B.hostName(), NEW_YORK, HUB_C.hostName(), TOKYO,
                nearButExcluded.hostName(), AMSTERDAM)));
        ProvisioningInstance instance = instance(AllocationPolicy.GEO_LATENCY, HUB_A, HUB_B, HUB_C, nearButExcluded);

        for (String device : DEVICES) {
            assertThat(hubOf(located.allocate(instance, enrollment(null), device, BRUSSELS))).isEqualTo(HUB_A);
            assertThat(hubOf(located.allocate(instance, enrollment(null, null, HUB_B.hostName(), HUB_C.hostName()),
                    device, BRUSSELS))).isEqualTo(HUB_B);
        }
    }

    @Test
    void hashedIgnoresTheDevicesLocation() {
        HubAllocation located = allocation.withHubLocations(HubLocations.of(Map.of(HUB_A.hostName(), AMSTERDAM)));
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A, HUB_B, HUB_C);

        for (String device : DEVICES) {
            assertThat(hubOf(located.allocate(instance, enrollment(null), device, BRUSSELS)))
                    .isEqualTo(hubOf(allocation.allocate(instance, enrollment(null), device)));
        }
    }

    @Test
    void theSameDeviceGetsTheSameHubWhateverTheOrderOfLinkedHubs() {
        ProvisioningInstance forward = instance(AllocationPolicy.HASHED, HUB_A, HUB_B, HUB_C);
        ProvisioningInstance backward = instance(AllocationPolicy.HASHED, HUB_C, HUB_B, HUB_A);

        for (String device : DEVICES) {
            assertThat(hubOf(allocation.allocate(backward, enrollment(null), device)))
                    .isEqualTo(hubOf(allocation.allocate(forward, enrollment(null), device)));
        }
    }

    // --- the enrollment's iotHubs -----------------------------------------------------------------------

    @Test
    void theEnrollmentsIotHubsRestrictTheCandidates() {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A, HUB_B, HUB_C);
        EnrollmentSettings enrollment = enrollment(null, null, HUB_A.hostName(), HUB_C.hostName());

        assertThat(assignedHubs(instance, enrollment)).containsExactlyInAnyOrder(HUB_A, HUB_C);
    }

    @Test
    void iotHubsMatchLinkedHubsIgnoringCaseAndSkipNamesThatAreNotLinked() {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A, HUB_B, HUB_C);
        EnrollmentSettings enrollment = enrollment(null, null, "HUB-B.Azure-Devices.NET", "gone.azure-devices.net");

        assertThat(assignedHubs(instance, enrollment)).containsExactly(HUB_B);
    }

    @Test
    void iotHubsNamingNoLinkedHubFailWith400208() {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A, HUB_B);
        EnrollmentSettings enrollment = enrollment(null, null, "gone.azure-devices.net");

        AllocationResult result = allocation.allocate(instance, enrollment, "device-1");

        assertThat(failure(result).errorCode()).isEqualTo(ErrorCode.NO_HUB);
        assertThat(failure(result).message()).contains("gone.azure-devices.net").contains("not linked");
    }

    // --- static -----------------------------------------------------------------------------------------

    @Test
    void staticAssignsTheFirstHubOfIotHubsOverTheLegacyIotHubHostName() {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A, HUB_B, HUB_C);
        EnrollmentSettings enrollment = enrollment(AllocationPolicy.STATIC, HUB_A.hostName(),
                HUB_B.hostName(), HUB_A.hostName());

        assertThat(assignedHubs(instance, enrollment)).containsExactly(HUB_B);
    }

    @Test
    void staticFallsBackToTheLegacyIotHubHostName() {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A, HUB_B, HUB_C);
        EnrollmentSettings enrollment = enrollment(AllocationPolicy.STATIC, "HUB-C.azure-devices.net");

        assertThat(assignedHubs(instance, enrollment)).containsExactly(HUB_C);
    }

    @Test
    void staticAssignsTheNamedHubEvenWithoutApplyAllocationPolicy() {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A, EXCLUDED);
        EnrollmentSettings enrollment = enrollment(AllocationPolicy.STATIC, null, EXCLUDED.hostName());

        assertThat(assignedHubs(instance, enrollment)).containsExactly(EXCLUDED);
    }

    @Test
    void staticWithoutAHubFailsWith400208() {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A);

        AllocationResult result = allocation.allocate(instance, enrollment(AllocationPolicy.STATIC), "device-1");

        assertThat(failure(result).errorCode()).isEqualTo(ErrorCode.NO_HUB);
        assertThat(failure(result).message()).contains("static").contains("names none");
    }

    @Test
    void staticWithAHubThatIsNotLinkedFailsWith400208() {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A);
        EnrollmentSettings enrollment = enrollment(AllocationPolicy.STATIC, null, "gone.azure-devices.net");

        AllocationResult result = allocation.allocate(instance, enrollment, "device-1");

        assertThat(failure(result).errorCode()).isEqualTo(ErrorCode.NO_HUB);
        assertThat(failure(result).message()).contains("'gone.azure-devices.net'").contains("not linked");
    }

    // --- which policy -----------------------------------------------------------------------------------

    @Test
    void theEnrollmentsPolicyOverridesTheInstanceDefault() {
        // The instance default is static, which would fail: the enrollment names no hub.
        ProvisioningInstance instance = instance(AllocationPolicy.STATIC, HUB_A, HUB_B);

        assertThat(assignedHubs(instance, enrollment(AllocationPolicy.HASHED))).containsExactlyInAnyOrder(HUB_A, HUB_B);
    }

    @Test
    void anEnrollmentWithoutAPolicyUsesTheInstanceDefault() {
        ProvisioningInstance instance = instance(AllocationPolicy.STATIC, HUB_A, HUB_B);

        assertThat(assignedHubs(instance, enrollment(null, HUB_B.hostName()))).containsExactly(HUB_B);
    }

    @Test
    void customNeedsTheDevicesRuntimeContextAndFailsWith400207WithoutIt() {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED, HUB_A);

        AllocationResult result = allocation.allocate(instance, enrollment(AllocationPolicy.CUSTOM), "device-1");

        assertThat(failure(result).errorCode()).isEqualTo(ErrorCode.CUSTOM_ALLOCATION_FAILED);
        assertThat(failure(result).message()).containsIgnoringCase("runtime context");
    }

    @ParameterizedTest
    @EnumSource(value = AllocationPolicy.class, names = {"HASHED", "GEO_LATENCY", "STATIC"})
    void anInstanceWithoutLinkedHubsFailsWith400208(AllocationPolicy policy) {
        ProvisioningInstance instance = instance(AllocationPolicy.HASHED);
        EnrollmentSettings enrollment = enrollment(policy, null, HUB_A.hostName());

        AllocationResult result = allocation.allocate(instance, enrollment, "device-1");

        assertThat(failure(result).errorCode()).isEqualTo(ErrorCode.NO_HUB);
        assertThat(failure(result).message()).contains("No IoT hub is linked");
    }

    @Test
    void aFailureThrownCarriesItsErrorCodeAndMessage() {
        AllocationResult result = allocation.allocate(instance(AllocationPolicy.HASHED), enrollment(null), "device-1");

        assertThatThrownBy(result::hubOrThrow).isInstanceOf(ProvisioningException.class)
                .hasMessage(failure(result).message())
                .satisfies(e -> assertThat(((ProvisioningException) e).errorCode()).isEqualTo(ErrorCode.NO_HUB));
    }

    // --- fixtures ---------------------------------------------------------------------------------------

    private Set<LinkedHub> assignedHubs(ProvisioningInstance instance, EnrollmentSettings enrollment) {
        Set<LinkedHub> hubs = new HashSet<>();
        for (String device : DEVICES) {
            hubs.add(hubOf(allocation.allocate(instance, enrollment, device)));
        }
        return hubs;
    }

    private static LinkedHub hubOf(AllocationResult result) {
        assertThat(result).isInstanceOf(Assigned.class);
        return ((Assigned) result).hub();
    }

    private static Failed failure(AllocationResult result) {
        assertThat(result).isInstanceOf(Failed.class);
        return (Failed) result;
    }

    private static LinkedHub hub(String hostName, boolean applyAllocationPolicy) {
        return new LinkedHub(hostName, 1, applyAllocationPolicy,
                "HostName=" + hostName + ";SharedAccessKeyName=iothubowner;SharedAccessKey=bm90LWEta2V5");
    }

    private static ProvisioningInstance instance(AllocationPolicy defaultPolicy, LinkedHub... hubs) {
        return new ProvisioningInstance("dps.example.net", "0ne00000A0A", List.of(), Arrays.asList(hubs),
                defaultPolicy, null, Records.CREATED);
    }

    private static EnrollmentSettings enrollment(AllocationPolicy policy) {
        return enrollment(policy, null);
    }

    private static EnrollmentSettings enrollment(AllocationPolicy policy, String iotHubHostName, String... iotHubs) {
        return new EnrollmentSettings(Records.symmetricKey(), false, iotHubHostName, null, null, null, policy,
                List.of(iotHubs), null);
    }
}
