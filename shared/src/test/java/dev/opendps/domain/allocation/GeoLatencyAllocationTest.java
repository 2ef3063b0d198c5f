package dev.opendps.domain.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opendps.domain.LinkedHub;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GeoLatencyAllocationTest {
    private static final LinkedHub EUROPE_1 = hub("europe-1.azure-devices.net", 1);
    private static final LinkedHub EUROPE_2 = hub("europe-2.azure-devices.net", 3);
    private static final LinkedHub AMERICA = hub("america.azure-devices.net", 1);
    private static final LinkedHub UNPLACED = hub("unplaced.azure-devices.net", 1);
    private static final List<LinkedHub> ALL = List.of(EUROPE_1, EUROPE_2, AMERICA, UNPLACED);
    private static final GeoLocation AMSTERDAM = AzureRegions.find("westeurope").orElseThrow();
    private static final HubLocations LOCATIONS = HubLocations.of(Map.of(
            "Europe-1.azure-devices.net", AMSTERDAM,
            EUROPE_2.hostName(), new GeoLocation(52.372, 4.901),
            AMERICA.hostName(), AzureRegions.find("eastus").orElseThrow()));
    private static final List<String> DEVICES = IntStream.range(0, 400).mapToObj(i -> "geo-" + i).toList();

    @Test
    void theHubNearestTheDeviceWins() {
        GeoLocation newYork = new GeoLocation(40.71, -74.01);

        for (String device : DEVICES) {
            assertThat(GeoLatencyAllocation.choose(device, newYork, ALL, LOCATIONS)).contains(AMERICA);
        }
    }

    @Test
    void equallyNearHubsAreDecidedByTheWeightedHash() {
        GeoLocation dublin = AzureRegions.find("northeurope").orElseThrow();
        Set<LinkedHub> chosen = new HashSet<>();

        for (String device : DEVICES) {
            LinkedHub hub = GeoLatencyAllocation.choose(device, dublin, ALL, LOCATIONS).orElseThrow();
            assertThat(hub).isEqualTo(WeightedHashAllocation.choose(device, List.of(EUROPE_1, EUROPE_2)).orElseThrow());
            chosen.add(hub);
        }
        assertThat(chosen).containsExactlyInAnyOrder(EUROPE_1, EUROPE_2);
    }

    @Test
    void aDeviceWithoutLocationGetsTheWeightedHashOverAllCandidates() {
        for (String device : DEVICES) {
            assertThat(GeoLatencyAllocation.choose(device, null, ALL, LOCATIONS))
                    .isEqualTo(WeightedHashAllocation.choose(device, ALL));
        }
    }

    @Test
    void candidatesWithoutAnyLocationGetTheWeightedHash() {
        List<LinkedHub> unplaced = List.of(UNPLACED, hub("also-unplaced.azure-devices.net", 1));

        for (String device : DEVICES) {
            assertThat(GeoLatencyAllocation.choose(device, AMSTERDAM, unplaced, LOCATIONS))
                    .isEqualTo(WeightedHashAllocation.choose(device, unplaced));
            assertThat(GeoLatencyAllocation.choose(device, AMSTERDAM, unplaced, HubLocations.NONE))
                    .isEqualTo(WeightedHashAllocation.choose(device, unplaced));
        }
    }

    @Test
    void aHubWithoutLocationIsNeverNearestWhileAnotherCandidateHasOne() {
        for (String device : DEVICES) {
            assertThat(GeoLatencyAllocation.choose(device, new GeoLocation(-33.87, 151.21), List.of(UNPLACED, AMERICA),
                    LOCATIONS)).contains(AMERICA);
        }
    }

    @Test
    void noCandidatesGiveNoHub() {
        assertThat(GeoLatencyAllocation.choose("geo-1", AMSTERDAM, List.of(), LOCATIONS)).isEmpty();
    }

    @Test
    void theDeviceLocationComesFromThePayloadsCoordinatesElseItsRegion() {
        assertThat(GeoLatencyAllocation.deviceLocation(json("{\"location\":{\"lat\":40.5,\"lon\":-74}}")))
                .contains(new GeoLocation(40.5, -74));
        assertThat(GeoLatencyAllocation.deviceLocation(json("{\"region\":\"East US\",\"fw\":\"1\"}")))
                .isEqualTo(AzureRegions.find("eastus"));
        assertThat(GeoLatencyAllocation.deviceLocation(json(
                "{\"location\":{\"lat\":1,\"lon\":2},\"region\":\"eastus\"}"))).contains(new GeoLocation(1, 2));
    }

    @Test
    void aPayloadWithoutAUsableLocationGivesNone() {
        for (String payload : List.of("{}", "[1]", "\"text\"", "{\"location\":{\"lat\":\"40\",\"lon\":\"-74\"}}",
                "{\"location\":{\"lat\":95,\"lon\":0}}", "{\"location\":{\"lat\":1}}", "{\"region\":\"atlantis\"}",
                "{\"region\":7}")) {
            assertThat(GeoLatencyAllocation.deviceLocation(json(payload))).as(payload).isEmpty();
        }
        assertThat(GeoLatencyAllocation.deviceLocation(null)).isEmpty();
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static LinkedHub hub(String hostName, int weight) {
        return new LinkedHub(hostName, weight, true, null);
    }
}
