package dev.opendps.adapters.cosmos;

import dev.opendps.domain.port.EnrollmentStore;
import dev.opendps.domain.port.EnrollmentStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class CosmosEnrollmentStoreTest extends EnrollmentStoreContract {
    @RegisterExtension
    static final CosmosAccount COSMOS = new CosmosAccount();

    @Override
    protected EnrollmentStore createStore() {
        return new CosmosEnrollmentStore(COSMOS.database());
    }
}
