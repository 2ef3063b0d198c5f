package dev.opendps.adapters.cosmos;

import dev.opendps.domain.port.RegistrationOperationStore;
import dev.opendps.domain.port.RegistrationOperationStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class CosmosRegistrationOperationStoreTest extends RegistrationOperationStoreContract {
    @RegisterExtension
    static final CosmosAccount COSMOS = new CosmosAccount();

    @Override
    protected RegistrationOperationStore createStore() {
        return new CosmosRegistrationOperationStore(COSMOS.database());
    }
}
