package dev.opendps.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.config.AppSettings;
import dev.opendps.config.Setting;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.allocation.AzureRegions;
import dev.opendps.domain.allocation.GeoLocation;
import dev.opendps.domain.allocation.HubLocations;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code DPS_HUB_LOCATIONS}: hub host names to a built-in region or coordinates. */
class HubLocationsSettingTest {
    private static HubLocations parse(String value) {
        return ProvisioningApplication.hubLocations(AppSettings.of(Map.of(Setting.HUB_LOCATIONS.key(), value)));
    }

    private static LinkedHub hub(String hostName) {
        return new LinkedHub(hostName, 1, true, null);
    }

    @Test
    void emptyMeansNoLocations() {
        assertThat(ProvisioningApplication.hubLocations(AppSettings.of(Map.of())).isEmpty()).isTrue();
        assertThat(parse("  ").isEmpty()).isTrue();
    }

    @Test
    void hubsAreLocatedByRegionOrCoordinates() {
        HubLocations locations = parse("{\"hub-a.azure-devices.net\":{\"region\":\"westeurope\"},"
                + "\"hub-b.azure-devices.net\":{\"lat\":-33.9,\"lon\":18.4,\"region\":\"westeurope\"}}");

        assertThat(locations.find(hub("HUB-A.azure-devices.net"))).isEqualTo(AzureRegions.find("westeurope"));
        assertThat(locations.find(hub("hub-b.azure-devices.net"))).contains(new GeoLocation(-33.9, 18.4));
        assertThat(locations.find(hub("hub-c.azure-devices.net"))).isEmpty();
    }

    @Test
    void unusableValuesAreConfigurationErrorsNamingTheSetting() {
        for (String value : new String[] {"{oops", "[]", "{\"h\":{\"region\":\"atlantis\"}}", "{\"h\":{\"lat\":1}}",
                "{\"h\":{\"lat\":91,\"lon\":0}}", "{\"h\":\"westeurope\"}"}) {
            assertThatThrownBy(() -> parse(value)).as(value).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("DPS_HUB_LOCATIONS");
        }
    }
}
