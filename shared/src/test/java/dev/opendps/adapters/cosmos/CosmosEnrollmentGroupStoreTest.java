package dev.opendps.adapters.cosmos;

import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.EnrollmentGroupStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class CosmosEnrollmentGroupStoreTest extends EnrollmentGroupStoreContract {
    @RegisterExtension
    static final CosmosAccount COSMOS = new CosmosAccount();

    @Override
    protected EnrollmentGroupStore createStore() {
        return new CosmosEnrollmentGroupStore(COSMOS.database());
    }
}
