package dev.opendps.adapters.cosmos;

import dev.opendps.testing.CosmosTestServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local Cosmos endpoint and a client on it for one test class, as a contract suite's store needs:
 * {@code @RegisterExtension static final CosmosAccount COSMOS = new CosmosAccount();}. One server and client per
 * class is enough: every contract test works in ID scopes (or hubs) of its own.
 */
final class CosmosAccount implements BeforeAllCallback, AfterAllCallback {
    private CosmosTestServer server;
    private CosmosDatabase database;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = CosmosTestServer.start();
        database = CosmosDatabase.connect(server.endpoint(), server.key(), "opendps");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (database != null) {
                database.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    CosmosDatabase database() {
        return database;
    }

    /** The endpoint itself, e.g. for a client with other settings or to inject faults. */
    CosmosTestServer server() {
        return server;
    }
}
