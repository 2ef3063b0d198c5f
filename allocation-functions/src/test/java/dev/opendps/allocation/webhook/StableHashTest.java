package dev.opendps.allocation.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StableHashTest {
    private static final List<String> HUBS = List.of("hub-a.azure-devices.net", "hub-b.azure-devices.net",
            "hub-c.azure-devices.net");

    @Test
    void theSameDeviceAndHubsAlwaysGiveTheSameHubInAnyOrder() {
        String first = StableHash.choose("device-42", HUBS).orElseThrow();
        List<String> reversed = new ArrayList<>(HUBS);
        java.util.Collections.reverse(reversed);

        assertThat(StableHash.choose("device-42", reversed)).contains(first);
        assertThat(StableHash.choose("DEVICE-42", HUBS)).contains(first);
    }

    @Test
    void isPinnedSoThatDevicesNeverMoveAcrossReleases() {
        // Golden values: a change here reassigns devices on their next registration.
        assertThat(StableHash.choose("device-1", HUBS)).contains("hub-a.azure-devices.net");
        assertThat(StableHash.choose("device-2", HUBS)).contains("hub-a.azure-devices.net");
        assertThat(StableHash.choose("device-3", HUBS)).contains("hub-b.azure-devices.net");
        assertThat(StableHash.choose("device-4", HUBS)).contains("hub-b.azure-devices.net");
    }

    @Test
    void spreadsDevicesEvenly() {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            counts.merge(StableHash.choose("device-" + i, HUBS).orElseThrow(), 1, Integer::sum);
        }
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(850, 1150));
    }

    @Test
    void removingAHubMovesOnlyItsOwnDevices() {
        List<String> twoHubs = HUBS.subList(0, 2);
        for (int i = 0; i < 500; i++) {
            String before = StableHash.choose("device-" + i, HUBS).orElseThrow();
            if (!before.equals(HUBS.get(2))) {
                assertThat(StableHash.choose("device-" + i, twoHubs)).contains(before);
            }
        }
    }

    @Test
    void noHubsNoChoice() {
        assertThat(StableHash.choose("device-1", List.of())).isEmpty();
    }
}
