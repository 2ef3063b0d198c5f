package dev.opendps.adapters.cosmos;

import dev.opendps.domain.port.InstanceStore;
import dev.opendps.domain.port.InstanceStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class CosmosInstanceStoreTest extends InstanceStoreContract {
    @RegisterExtension
    static final CosmosAccount COSMOS = new CosmosAccount();

    @Override
    protected InstanceStore createStore() {
        return new CosmosInstanceStore(COSMOS.database());
    }
}
