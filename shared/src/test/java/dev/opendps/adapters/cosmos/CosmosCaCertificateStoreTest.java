package dev.opendps.adapters.cosmos;

import dev.opendps.domain.port.CaCertificateStore;
import dev.opendps.domain.port.CaCertificateStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

class CosmosCaCertificateStoreTest extends CaCertificateStoreContract {
    @RegisterExtension
    static final CosmosAccount COSMOS = new CosmosAccount();

    @Override
    protected CaCertificateStore createStore() {
        return new CosmosCaCertificateStore(COSMOS.database());
    }
}
