package dev.opendps.allocation.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.allocation.config.ConfigJson;
import dev.opendps.allocation.config.InvalidDocumentException;
import dev.opendps.allocation.webhook.AllocationDecision;
import dev.opendps.allocation.webhook.AllocationDecision.Assign;
import dev.opendps.allocation.webhook.AllocationDecision.Refuse;
import dev.opendps.allocation.webhook.RequestBody;
import dev.opendps.allocation.webhook.StableHash;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeoShardingAllocatorTest {
    static final String EU_1 = "eu-1.azure-devices.net";
    static final String EU_2 = "eu-2.azure-devices.net";
    static final String US = "us.azure-devices.net";
    static final String ASIA = "asia.azure-devices.net";
    static final String UNKNOWN = "lab.azure-devices.net";

    private static GeoShardingConfig config(String hubs, String regions, String networks, String prefixes) {
        return new GeoShardingConfig(json(hubs), json(regions), json(networks), json(prefixes));
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode json(String text) {
        return text == null ? null : ConfigJson.parseObject(text, "test");
    }

    private final GeoShardingAllocator allocator = new GeoShardingAllocator(config("""
            {"%s":{"region":"westeurope"},"%s":{"region":"westeurope"},"%s":{"region":"eastus"},
             "%s":{"lat":1.3,"lon":103.8,"region":"singapore"}}""".formatted(EU_1, EU_2, US, ASIA),
            "{\"singapore\":{\"lat\":1.3,\"lon\":103.8}}",
            "{\"carrier-us\":\"eastus\",\"factory-7\":{\"lat\":1.35,\"lon\":103.9}}",
            "{\"us-\":\"eastus\",\"us-sg-\":\"singapore\"}"));

    private Assign assign(RequestBody body) {
        AllocationDecision decision = allocator.allocate(body.parsed());
        assertThat(decision).isInstanceOf(Assign.class);
        return (Assign) decision;
    }

    @Test
    void aDeviceReportingCoordinatesGoesToTheNearestHub() {
        Assign assign = assign(RequestBody.device("d1").payload("{\"location\":{\"lat\":40.7,\"lon\":-74.0}}")
                .linkedHubs(EU_1, US, ASIA));

        assertThat(assign.iotHubHostName()).isEqualTo(US);
        assertThat(assign.initialTwin().tags().toString()).isEqualTo("{\"region\":\"eastus\"}");
        assertThat(assign.payload().get("locatedBy").asText()).isEqualTo("payload.location");
        assertThat(assign.payload().get("region").asText()).isEqualTo("eastus");
        assertThat(assign.payload().get("distanceKm").asLong()).isBetween(550L, 700L);
    }

    @Test
    void aDeviceReportingARegionGoesToTheNearestHub() {
        Assign assign = assign(RequestBody.device("d1").payload("{\"region\":\"southeastasia\"}")
                .linkedHubs(EU_1, US, ASIA));

        assertThat(assign.iotHubHostName()).isEqualTo(ASIA);
        assertThat(assign.payload().get("locatedBy").asText()).isEqualTo("payload.region");
    }

    @Test
    void aDeviceReportingItsNetworkIsPlacedByTheNetworkTable() {
        assertThat(assign(RequestBody.device("d1").payload("{\"network\":\"carrier-us\"}").linkedHubs(EU_1, US, ASIA))
                .iotHubHostName()).isEqualTo(US);
        assertThat(assign(RequestBody.device("d1").payload("{\"network\":\"factory-7\"}").linkedHubs(EU_1, US, ASIA))
                .iotHubHostName()).isEqualTo(ASIA);
    }

    @Test
    void otherwiseTheLongestRegistrationIdPrefixPlacesTheDevice() {
        assertThat(assign(RequestBody.device("US-0001").linkedHubs(EU_1, US, ASIA)).iotHubHostName()).isEqualTo(US);
        Assign sg = assign(RequestBody.device("us-sg-0001").linkedHubs(EU_1, US, ASIA));
        assertThat(sg.iotHubHostName()).isEqualTo(ASIA);
        assertThat(sg.payload().get("locatedBy").asText()).isEqualTo("registrationIdPrefix");
    }

    @Test
    void theDevicesOwnLocationWinsOverItsNameAndNetwork() {
        assertThat(assign(RequestBody.device("us-0001")
                .payload("{\"network\":\"carrier-us\",\"location\":{\"lat\":52,\"lon\":5}}")
                .linkedHubs(EU_1, US)).iotHubHostName()).isEqualTo(EU_1);
    }

    @Test
    void anUnknownRegionFallsThroughToTheNextRule() {
        assertThat(assign(RequestBody.device("us-0001").payload("{\"region\":\"atlantis\"}").linkedHubs(EU_1, US))
                .iotHubHostName()).isEqualTo(US);
    }

    @Test
    void equallyNearHubsAreChosenByTheStableHash() {
        for (String id : List.of("d1", "d2", "d3", "d4", "d5", "d6")) {
            Assign assign = assign(RequestBody.device(id).payload("{\"region\":\"westeurope\"}")
                    .linkedHubs(US, EU_1, EU_2));
            assertThat(assign.iotHubHostName()).isEqualTo(StableHash.choose(id, List.of(EU_1, EU_2)).orElseThrow());
        }
    }

    @Test
    void aDeviceWithoutLocationIsHashedOverTheOfferedHubsWithAPlace() {
        Assign assign = assign(RequestBody.device("nowhere-1").linkedHubs(EU_1, UNKNOWN, US));

        assertThat(assign.iotHubHostName()).isEqualTo(StableHash.choose("nowhere-1", List.of(EU_1, US)).orElseThrow());
        assertThat(assign.payload().get("locatedBy").asText()).isEqualTo("none");
        assertThat(assign.payload().has("distanceKm")).isFalse();
    }

    @Test
    void onlyOfferedHubsAreCandidates() {
        Assign assign = assign(RequestBody.device("d1").payload("{\"region\":\"eastus\"}").linkedHubs(EU_1, ASIA));

        assertThat(assign.iotHubHostName()).isEqualTo(EU_1);
    }

    @Test
    void hubsWithoutAPlaceAreALastResort() {
        Assign nearer = assign(RequestBody.device("d1").payload("{\"region\":\"eastus\"}").linkedHubs(UNKNOWN, ASIA));
        assertThat(nearer.iotHubHostName()).isEqualTo(ASIA);

        Assign lastResort = assign(RequestBody.device("d1").payload("{\"region\":\"eastus\"}").linkedHubs(UNKNOWN));
        assertThat(lastResort.iotHubHostName()).isEqualTo(UNKNOWN);
        assertThat(lastResort.initialTwin().tags().has("region")).isFalse();
    }

    @Test
    void aMalformedLocationIsRefused() {
        Refuse refuse = (Refuse) allocator.allocate(RequestBody.device("d1")
                .payload("{\"location\":{\"lat\":\"north\",\"lon\":5}}").linkedHubs(EU_1).parsed());
        assertThat(refuse.status()).isEqualTo(400);
        assertThat(refuse.reason()).isEqualTo("payload.location must be {\"lat\":<number>,\"lon\":<number>}");

        Refuse outOfRange = (Refuse) allocator.allocate(RequestBody.device("d1")
                .payload("{\"location\":{\"lat\":95,\"lon\":5}}").linkedHubs(EU_1).parsed());
        assertThat(outOfRange.reason()).startsWith("payload.location: latitude must be -90 to 90");
    }

    @Test
    void withoutConfiguredHubsEveryDeviceIsRefused() {
        Refuse refuse = (Refuse) new GeoShardingAllocator(GeoShardingConfig.empty())
                .allocate(RequestBody.device("d1").linkedHubs(EU_1).parsed());

        assertThat(refuse.status()).isEqualTo(400);
        assertThat(refuse.reason()).contains("ALLOCATION_GEO_HUBS is not configured");
    }

    @Test
    void withoutOfferedHubsTheDeviceIsRefused() {
        Refuse refuse = (Refuse) allocator.allocate(RequestBody.device("d1").linkedHubs().parsed());

        assertThat(refuse.reason()).isEqualTo("DPS offered no linked hubs to choose from.");
    }

    @Test
    void aHubInAnUnknownRegionIsAConfigurationError() {
        assertThatThrownBy(() -> config("{\"h\":{\"region\":\"atlantis\"}}", null, null, null))
                .isInstanceOf(InvalidDocumentException.class)
                .hasMessage("ALLOCATION_GEO_HUBS.h names the unknown region 'atlantis' (add it to ALLOCATION_GEO_REGIONS)");
        assertThatThrownBy(() -> config("{\"h\":{\"lat\":1}}", null, null, null))
                .hasMessage("ALLOCATION_GEO_HUBS.h must be {\"lat\":<number>,\"lon\":<number>}");
    }
}
