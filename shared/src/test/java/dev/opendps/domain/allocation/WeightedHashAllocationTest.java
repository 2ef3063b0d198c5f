package dev.opendps.domain.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.opendps.domain.LinkedHub;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WeightedHashAllocationTest {
    private static final LinkedHub HUB_A = hub("hub-a.azure-devices.net", 1);
    private static final LinkedHub HUB_B = hub("hub-b.azure-devices.net", 1);
    private static final LinkedHub HUB_C = hub("hub-c.azure-devices.net", 1);
    private static final LinkedHub HUB_D = hub("hub-d.azure-devices.net", 1);
    private static final LinkedHub HUB_E = hub("hub-e.azure-devices.net", 1);
    private static final List<String> DEVICES = IntStream.range(0, 2_000).mapToObj(i -> "device-" + i).toList();

    @Test
    void theHashIsPinnedSoDevicesKeepTheirHubAcrossReleases() {
        // Expected values computed outside Java: SHA-256 of "device-1\0hub-a.azure-devices.net", etc.
        assertThat(WeightedHashAllocation.uniform("device-1", "hub-a.azure-devices.net"))
                .isEqualTo(0.6399009078574139);
        assertThat(WeightedHashAllocation.uniform("Thermostat-42", "HUB-B.azure-devices.net"))
                .isEqualTo(0.06694745257649648);
    }

    @Test
    void theSameDeviceAndHubsAlwaysGiveTheSameHub() {
        List<LinkedHub> hubs = List.of(HUB_A, HUB_B, HUB_C);

        for (String device : DEVICES.subList(0, 200)) {
            assertThat(WeightedHashAllocation.choose(device, hubs))
                    .isEqualTo(WeightedHashAllocation.choose(device, hubs)).isPresent();
        }
    }

    @Test
    void theOrderOfTheCandidatesDoesNotMatter() {
        List<LinkedHub> hubs = List.of(HUB_A, HUB_B, HUB_C, HUB_D, HUB_E);
        List<LinkedHub> shuffled = new ArrayList<>(hubs);
        Collections.shuffle(shuffled, new Random(7));
        List<LinkedHub> reversed = new ArrayList<>(hubs);
        Collections.reverse(reversed);

        for (String device : DEVICES.subList(0, 200)) {
            assertThat(WeightedHashAllocation.choose(device, shuffled))
                    .isEqualTo(WeightedHashAllocation.choose(device, hubs))
                    .isEqualTo(WeightedHashAllocation.choose(device, reversed));
        }
    }

    @Test
    void theCaseOfTheRegistrationIdAndHostNameDoesNotMatter() {
        List<LinkedHub> hubs = List.of(HUB_A, HUB_B, HUB_C);
        List<LinkedHub> upperCaseHosts = List.of(hub("HUB-A.azure-devices.net", 1), hub("Hub-B.Azure-Devices.net", 1),
                hub("hub-c.AZURE-DEVICES.NET", 1));

        for (String device : DEVICES.subList(0, 200)) {
            String expected = WeightedHashAllocation.choose(device, hubs).orElseThrow().hostName();
            assertThat(WeightedHashAllocation.choose(device.toUpperCase(), hubs).orElseThrow().hostName())
                    .isEqualTo(expected);
            assertThat(WeightedHashAllocation.choose(device, upperCaseHosts).orElseThrow().hostName())
                    .isEqualToIgnoringCase(expected);
        }
    }

    @Test
    void eachHubGetsAShareOfDevicesProportionalToItsWeight() {
        LinkedHub light = hub("light.azure-devices.net", 1);
        LinkedHub medium = hub("medium.azure-devices.net", 2);
        LinkedHub heavy = hub("heavy.azure-devices.net", 7);
        int devices = 20_000;

        Map<LinkedHub, Integer> counts = new HashMap<>();
        for (int i = 0; i < devices; i++) {
            LinkedHub chosen = WeightedHashAllocation.choose("sensor-" + i, List.of(light, medium, heavy)).orElseThrow();
            counts.merge(chosen, 1, Integer::sum);
        }

        assertThat(counts.getOrDefault(light, 0) / (double) devices).isCloseTo(0.1, within(0.02));
        assertThat(counts.getOrDefault(medium, 0) / (double) devices).isCloseTo(0.2, within(0.02));
        assertThat(counts.getOrDefault(heavy, 0) / (double) devices).isCloseTo(0.7, within(0.02));
    }

    @Test
    void removingAHubMovesOnlyTheDevicesThatWereOnIt() {
        List<LinkedHub> before = List.of(HUB_A, HUB_B, HUB_C, HUB_D, HUB_E);
        List<LinkedHub> after = List.of(HUB_A, HUB_B, HUB_D, HUB_E);
        int moved = 0;

        for (String device : DEVICES) {
            LinkedHub was = WeightedHashAllocation.choose(device, before).orElseThrow();
            LinkedHub now = WeightedHashAllocation.choose(device, after).orElseThrow();
            if (!was.equals(HUB_C)) {
                assertThat(now).as(device).isEqualTo(was);
            } else {
                moved++;
            }
        }
        // HUB_C held about a fifth of the devices; they, and only they, moved.
        assertThat(moved).isBetween(300, 500);
    }

    @Test
    void addingAHubMovesDevicesOnlyOntoTheNewHub() {
        List<LinkedHub> before = List.of(HUB_A, HUB_B, HUB_C);
        List<LinkedHub> after = List.of(HUB_A, HUB_B, HUB_C, HUB_D);

        for (String device : DEVICES) {
            LinkedHub was = WeightedHashAllocation.choose(device, before).orElseThrow();
            LinkedHub now = WeightedHashAllocation.choose(device, after).orElseThrow();
            assertThat(now).as(device).isIn(was, HUB_D);
        }
    }

    @Test
    void raisingAHubsWeightOnlyMovesDevicesOntoThatHub() {
        List<LinkedHub> before = List.of(HUB_A, HUB_B, HUB_C);
        LinkedHub heavierB = hub(HUB_B.hostName(), 5);
        List<LinkedHub> after = List.of(HUB_A, heavierB, HUB_C);

        for (String device : DEVICES) {
            LinkedHub was = WeightedHashAllocation.choose(device, before).orElseThrow();
            String now = WeightedHashAllocation.choose(device, after).orElseThrow().hostName();
            assertThat(now).as(device).isIn(was.hostName(), HUB_B.hostName());
        }
    }

    @Test
    void noCandidatesGiveNoHub() {
        assertThat(WeightedHashAllocation.choose("device-1", List.of())).isEmpty();
    }

    @Test
    void uniformValuesStayInsideTheOpenUnitInterval() {
        for (String device : DEVICES) {
            assertThat(WeightedHashAllocation.uniform(device, HUB_A.hostName())).isStrictlyBetween(0.0, 1.0);
        }
    }

    private static LinkedHub hub(String hostName, int weight) {
        return new LinkedHub(hostName, weight, true, null);
    }
}
