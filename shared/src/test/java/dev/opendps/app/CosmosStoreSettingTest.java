package dev.opendps.app;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.config.AppSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CosmosStoreSettingTest {

    @Test
    void cosmosWithoutAnEndpointNamesTheMissingSetting() {
        AppSettings settings = AppSettings.of(Map.of("DPS_STORE", "cosmos", "DPS_COSMOS_KEY", "a-key"));

        assertThatThrownBy(() -> ProvisioningApplication.openStores(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DPS_COSMOS_ENDPOINT");
    }

    @Test
    void cosmosRefusesToStartWhileSomePortsHaveNoAdapterAndNamesThemWithoutTheKey() {
        AppSettings settings = AppSettings.of(Map.of("DPS_STORE", "Cosmos",
                "DPS_COSMOS_ENDPOINT", "https://account.documents.azure.com:443/", "DPS_COSMOS_KEY", "secret-key"));

        assertThatThrownBy(() -> ProvisioningApplication.openStores(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing for instances, TPM challenges")
                .hasMessageNotContaining("secret-key");
    }

    @Test
    void anUnknownStoreIsRefused() {
        assertThatThrownBy(() -> ProvisioningApplication.openStores(AppSettings.of(Map.of("DPS_STORE", "mongo"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sqlite' or 'cosmos'");
    }
}
