package dev.opendps.adapters.cosmos;

import dev.opendps.domain.port.RegistrationStateStore;
import dev.opendps.domain.port.RegistrationStateStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class CosmosRegistrationStateStoreTest extends RegistrationStateStoreContract {
    @RegisterExtension
    static final CosmosAccount COSMOS = new CosmosAccount();

    @Override
    protected RegistrationStateStore createStore() {
        return new CosmosRegistrationStateStore(COSMOS.database());
    }
}
