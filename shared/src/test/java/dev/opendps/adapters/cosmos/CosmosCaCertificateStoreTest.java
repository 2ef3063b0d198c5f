package dev.opendps.adapters.cosmos;

import dev.opendps.domain.port.CaCertificateStore;
import dev.opendps.domain.port.CaCertificateStoreContract;
import dev.opendps.testing.CosmosTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class CosmosCaCertificateStoreTest extends CaCertificateStoreContract {
    // One server and client for the class: every contract test works in ID scopes of its own.
    private static CosmosTestServer server;
    private static CosmosDatabase database;

    @BeforeAll
    static void startServer() {
        server = CosmosTestServer.start();
        database = CosmosDatabase.connect(server.endpoint(), server.key(), "opendps");
    }

    @AfterAll
    static void stopServer() {
        if (database != null) {
            database.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected CaCertificateStore createStore() {
        return new CosmosCaCertificateStore(database);
    }
}
