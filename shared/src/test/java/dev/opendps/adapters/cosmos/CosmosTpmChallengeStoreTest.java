package dev.opendps.adapters.cosmos;

import dev.opendps.domain.port.TpmChallengeStore;
import dev.opendps.domain.port.TpmChallengeStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class CosmosTpmChallengeStoreTest extends TpmChallengeStoreContract {
    @RegisterExtension
    static final CosmosAccount COSMOS = new CosmosAccount();

    @Override
    protected TpmChallengeStore createStore() {
        return new CosmosTpmChallengeStore(COSMOS.database());
    }
}
