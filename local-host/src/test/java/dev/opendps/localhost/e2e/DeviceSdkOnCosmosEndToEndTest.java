package dev.opendps.localhost.e2e;

import dev.opendps.testing.CosmosTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The same official Java device and service SDK scenarios as {@link DeviceSdkEndToEndTest}, with the local host on
 * Cosmos DB instead of the embedded store, chosen by configuration alone ({@code DPS_STORE=cosmos}); the Cosmos
 * endpoint is the project's local one ({@link CosmosTestServer}).
 */
class DeviceSdkOnCosmosEndToEndTest extends DeviceSdkEndToEndTest {
    static CosmosTestServer cosmos;

    @BeforeAll
    static void startTheLocalStack() throws Exception {
        cosmos = CosmosTestServer.start();
        startTheLocalStack(LocalStackFixture.onCosmos(cosmos));
    }

    @AfterAll
    static void stopTheLocalStack() throws Exception {
        try {
            DeviceSdkEndToEndTest.stopTheLocalStack();
        } finally {
            if (cosmos != null) {
                cosmos.close();
            }
        }
    }
}
