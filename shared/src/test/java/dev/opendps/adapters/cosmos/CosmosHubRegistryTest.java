package dev.opendps.adapters.cosmos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.domain.HubDevice;
import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.HubRegistryContract;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CosmosHubRegistryTest extends HubRegistryContract {
    @RegisterExtension
    static final CosmosAccount COSMOS = new CosmosAccount();

    @Override
    protected HubRegistry createRegistry() {
        return new CosmosHubRegistry(COSMOS.database());
    }

    @Test
    void itemIdsKeepTheCaseAndEscapeOnlyWhatCosmosForbids() {
        assertThat(CosmosHubRegistry.itemId("Device-1.a_b:c")).isEqualTo("Device-1.a_b:c");
        assertThat(CosmosHubRegistry.itemId("a/b\\c?d#e%f")).isEqualTo("a%2Fb%5Cc%3Fd%23e%25f");
        assertThat(CosmosHubRegistry.itemId("%2F")).isNotEqualTo(CosmosHubRegistry.itemId("/"));
    }

    @Test
    void deviceIdsWithCharactersCosmosForbidsInIdsAreKeptApart() {
        List<String> ids = List.of("what?", "what%3F", "tag#1", "100%", "Odd-%Id!", "a/b", "c\\d");
        List<HubDevice> created = ids.stream().map(id -> registry.createOrUpdate(hub, sasDevice(id, 1))).toList();

        for (HubDevice device : created) {
            assertThat(registry.find(hub, device.deviceId())).contains(device);
        }
        assertThat(registry.list(hub, 10, null).items()).containsExactlyInAnyOrderElementsOf(created);
        registry.delete(hub, "what?");
        assertThat(registry.find(hub, "what?")).isEmpty();
        assertThat(registry.find(hub, "what%3F")).contains(created.get(1));
    }
}
