package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /health}: the store answers a read; the key provider does not exist yet and says so. */
class HealthApiTest {
    @TempDir
    java.nio.file.Path dataDir;

    ServiceApiFixture dps;

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir);
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
    }

    @Test
    void aReadableStoreIsHealthyAndTheKeyProviderIsReportedNotConfigured() {
        ApiResponse response = dps.application.diagnosticsApi().health(null);

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = body(response);
        assertThat(body.get("status").asText()).isEqualTo("healthy");
        assertThat(body.at("/checks/store").asText()).isEqualTo("ok");
        assertThat(body.at("/checks/keyProvider").asText()).isEqualTo("not configured");
    }

    @Test
    void aClosedStoreIs503NamingTheStoreCheck() throws Exception {
        dps.application.stores().resources().close();

        ApiResponse response = dps.application.diagnosticsApi().health(null);

        assertThat(response.status()).isEqualTo(503);
        JsonNode body = body(response);
        assertThat(body.get("status").asText()).isEqualTo("unhealthy");
        assertThat(body.at("/checks/store").asText()).isEqualTo("failed");
        assertThat(body.at("/checks/keyProvider").asText()).isEqualTo("not configured");
    }
}
