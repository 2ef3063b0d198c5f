package dev.opendps.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.adapters.cosmos.CosmosCaCertificateStore;
import dev.opendps.adapters.cosmos.CosmosEnrollmentGroupStore;
import dev.opendps.adapters.cosmos.CosmosEnrollmentStore;
import dev.opendps.adapters.cosmos.CosmosHubRegistry;
import dev.opendps.adapters.cosmos.CosmosInstanceStore;
import dev.opendps.adapters.cosmos.CosmosRegistrationOperationStore;
import dev.opendps.adapters.cosmos.CosmosRegistrationStateStore;
import dev.opendps.adapters.cosmos.CosmosTpmChallengeStore;
import dev.opendps.adapters.iothub.IotHubRegistry;
import dev.opendps.config.AppSettings;
import dev.opendps.testing.CosmosTestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CosmosStoreSettingTest {
    private static CosmosTestServer server;

    @BeforeAll
    static void startServer() {
        server = CosmosTestServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void cosmosWithoutAnEndpointNamesTheMissingSetting() {
        AppSettings settings = AppSettings.of(Map.of("DPS_STORE", "cosmos", "DPS_COSMOS_KEY", "a-key"));

        assertThatThrownBy(() -> ProvisioningApplication.openStores(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DPS_COSMOS_ENDPOINT");
    }

    @Test
    void cosmosWithoutAKeyNamesTheMissingSetting() {
        AppSettings settings = AppSettings.of(Map.of("DPS_STORE", "cosmos", "DPS_COSMOS_ENDPOINT",
                "https://account.documents.azure.com:443/"));

        assertThatThrownBy(() -> ProvisioningApplication.openStores(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DPS_COSMOS_KEY");
    }

    @Test
    void cosmosPutsEveryStoreAndTheEmbeddedHubRegistryOnCosmos() throws Exception {
        Stores stores = ProvisioningApplication.openStores(AppSettings.of(Map.of("DPS_STORE", "Cosmos",
                "DPS_COSMOS_ENDPOINT", server.endpoint(), "DPS_COSMOS_KEY", server.key(),
                "DPS_HUB_REGISTRY", "embedded")));
        try {
            assertThat(stores.instances()).isInstanceOf(CosmosInstanceStore.class);
            assertThat(stores.enrollments()).isInstanceOf(CosmosEnrollmentStore.class);
            assertThat(stores.enrollmentGroups()).isInstanceOf(CosmosEnrollmentGroupStore.class);
            assertThat(stores.registrationStates()).isInstanceOf(CosmosRegistrationStateStore.class);
            assertThat(stores.registrationOperations()).isInstanceOf(CosmosRegistrationOperationStore.class);
            assertThat(stores.tpmChallenges()).isInstanceOf(CosmosTpmChallengeStore.class);
            assertThat(stores.caCertificates()).isInstanceOf(CosmosCaCertificateStore.class);
            assertThat(stores.hubs()).isInstanceOf(CosmosHubRegistry.class);
        } finally {
            stores.resources().close();
        }
    }

    @Test
    void cosmosWithIotHubKeepsTheIotHubRegistry() throws Exception {
        Stores stores = ProvisioningApplication.openStores(AppSettings.of(Map.of("DPS_STORE", "cosmos",
                "DPS_COSMOS_ENDPOINT", server.endpoint(), "DPS_COSMOS_KEY", server.key(),
                "DPS_HUB_REGISTRY", "iothub")));
        try {
            assertThat(stores.instances()).isInstanceOf(CosmosInstanceStore.class);
            assertThat(stores.hubs()).isInstanceOf(IotHubRegistry.class);
        } finally {
            stores.resources().close();
        }
    }

    @Test
    void negativeThrottlingRetriesAreRefusedNamingTheSetting() {
        AppSettings settings = AppSettings.of(Map.of("DPS_STORE", "cosmos", "DPS_COSMOS_ENDPOINT", server.endpoint(),
                "DPS_COSMOS_KEY", server.key(), "DPS_COSMOS_THROTTLING_RETRIES", "-1"));

        assertThatThrownBy(() -> ProvisioningApplication.openStores(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DPS_COSMOS_THROTTLING_RETRIES");
    }

    @Test
    void anUnknownStoreIsRefused() {
        assertThatThrownBy(() -> ProvisioningApplication.openStores(AppSettings.of(Map.of("DPS_STORE", "mongo"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sqlite' or 'cosmos'");
    }
}
