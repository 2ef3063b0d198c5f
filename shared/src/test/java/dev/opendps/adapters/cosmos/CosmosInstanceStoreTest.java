package dev.opendps.adapters.cosmos;

import dev.opendps.domain.port.InstanceStore;
import dev.opendps.domain.port.InstanceStoreContract;
import dev.opendps.testing.CosmosTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class CosmosInstanceStoreTest extends InstanceStoreContract {
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
    protected InstanceStore createStore() {
        return new CosmosInstanceStore(database);
    }
}
