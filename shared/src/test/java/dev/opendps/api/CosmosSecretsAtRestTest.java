package dev.opendps.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.testing.CosmosTestServer;
import dev.opendps.wire.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link SecretsAtRestTest} on Cosmos DB ({@code DPS_STORE=cosmos}) with the local key file: the same plaintext
 * scan of what the account holds, rotation and re-wrap under concurrent registrations with nothing lost, and
 * retiring the older versions afterwards. One local Cosmos endpoint for the class, a database per test (each test
 * has a key file of its own, and a database's documents open only with theirs).
 */
class CosmosSecretsAtRestTest extends SecretsAtRestTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    static CosmosTestServer cosmos;

    /** JUnit makes an instance per test: so a database per test. */
    private final String database = "secrets-" + DATABASES.incrementAndGet();

    @BeforeAll
    static void startCosmos() {
        cosmos = CosmosTestServer.start();
    }

    @AfterAll
    static void stopCosmos() {
        if (cosmos != null) {
            cosmos.close();
        }
    }

    @Override
    protected Map<String, String> storeSettings() {
        return Map.of("DPS_STORE", "cosmos", "DPS_COSMOS_ENDPOINT", cosmos.endpoint(), "DPS_COSMOS_KEY", cosmos.key(),
                "DPS_COSMOS_DATABASE", database, "DPS_HUB_REGISTRY", "embedded");
    }

    /** Every item of every container, whole: the stores' documents with what the adapter keeps beside them. */
    @Override
    protected List<String> storedDocuments() {
        return CosmosProvisioningApplicationTest.rawItems(cosmos, database);
    }

    @Override
    protected String storedEnrollment(String id) {
        List<JsonNode> found = CosmosProvisioningApplicationTest.rawItems(cosmos, database, "enrollments").stream()
                .map(Json::parseStored).map(JsonNode.class::cast).filter(item -> item.path("id").asText().equals(id))
                .toList();
        assertThat(found).hasSize(1);
        return Json.string(found.get(0).get("doc"));
    }

    @Override
    protected byte[] storedBytes() {
        return String.join("\n", storedDocuments()).getBytes(StandardCharsets.UTF_8);
    }
}
