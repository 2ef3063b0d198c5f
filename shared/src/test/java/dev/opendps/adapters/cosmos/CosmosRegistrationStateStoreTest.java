package dev.opendps.adapters.cosmos;

import dev.opendps.domain.port.RegistrationStateStore;
import dev.opendps.domain.port.RegistrationStateStoreContract;
import dev.opendps.testing.CosmosTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class CosmosRegistrationStateStoreTest extends RegistrationStateStoreContract {
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
    protected RegistrationStateStore createStore() {
        return new CosmosRegistrationStateStore(database);
    }
}
