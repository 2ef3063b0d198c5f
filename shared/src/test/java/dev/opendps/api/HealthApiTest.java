package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.app.ProvisioningApplication;
import dev.opendps.testing.KeyVaultTestBed;
import dev.opendps.testing.MovableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /health}: the store answers a read; the key provider wraps and unwraps a key with the configured
 * key-encryption key (the local key file, or Key Vault), checked at most every 30 seconds.
 */
class HealthApiTest {
    @TempDir
    Path dataDir;

    ServiceApiFixture dps;
    KeyVaultTestBed bed;
    final MovableClock clock = new MovableClock(Instant.now());

    @AfterEach
    void stop() throws Exception {
        if (dps != null) {
            dps.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    private void startOnTheLocalKeyFile() {
        dps = new ServiceApiFixture(dataDir, Map.of(), clock);
    }

    private void startOnKeyVault() {
        bed = KeyVaultTestBed.start("health-kek");
        dps = new ServiceApiFixture(dataDir, bed.settings(), clock, stores -> stores, List.of(),
                settings -> ProvisioningApplication.keyEncryptionKey(settings, bed.options()));
    }

    private JsonNode health(int expectedStatus) {
        ApiResponse response = dps.application.diagnosticsApi().health(null);
        assertThat(response.status()).isEqualTo(expectedStatus);
        return body(response);
    }

    @Test
    void aReadableStoreAndAWorkingLocalKeyFileAreHealthy() {
        startOnTheLocalKeyFile();

        JsonNode body = health(200);

        assertThat(body.get("status").asText()).isEqualTo("healthy");
        assertThat(body.at("/checks/store").asText()).isEqualTo("ok");
        assertThat(body.at("/checks/keyProvider").asText())
                .isEqualTo("ok: local key file " + dataDir.resolve("keys/kek.json").toAbsolutePath());
    }

    @Test
    void aClosedStoreIs503NamingTheStoreCheck() throws Exception {
        startOnTheLocalKeyFile();
        dps.application.stores().resources().close();

        JsonNode body = health(503);

        assertThat(body.get("status").asText()).isEqualTo("unhealthy");
        assertThat(body.at("/checks/store").asText()).isEqualTo("failed");
        assertThat(body.at("/checks/keyProvider").asText()).startsWith("ok: local key file");
    }

    @Test
    void theKeyVaultKeyIsCheckedWithAWrapAndUnwrapAndNamedWithoutSecrets() {
        startOnKeyVault();
        long wraps = bed.vault.count("wrapkey");

        JsonNode body = health(200);

        String checked = body.at("/checks/keyProvider").asText();
        assertThat(checked).startsWith("ok: Key Vault key " + bed.keyId() + " (current version ");
        assertThat(checked).doesNotContain("mi-token").doesNotContain(bed.identity.identityHeader());
        assertThat(bed.vault.count("wrapkey")).isEqualTo(wraps + 1);
        assertThat(bed.vault.count("unwrapkey")).isPositive();
    }

    @Test
    void probesWithinTheIntervalDoNotCallKeyVaultAgain() {
        startOnKeyVault();
        health(200);
        long calls = bed.vault.requests().size();

        clock.advance(Duration.ofSeconds(29));
        health(200);
        health(200);

        assertThat(bed.vault.requests()).hasSize((int) calls);
    }

    @Test
    void anUnavailableKeyVaultMakesTheKeyProviderFailOnceTheLastCheckIsOld() {
        startOnKeyVault();
        health(200);
        bed.vault.failWith(503);

        assertThat(health(200).at("/checks/keyProvider").asText()).startsWith("ok:"); // still the last outcome
        clock.advance(Duration.ofSeconds(31));
        JsonNode body = health(503);

        assertThat(body.at("/checks/keyProvider").asText()).isEqualTo("failed");
        assertThat(body.at("/checks/store").asText()).isEqualTo("ok");
        bed.vault.behave();
        clock.advance(Duration.ofSeconds(31));
        assertThat(health(200).at("/checks/keyProvider").asText()).startsWith("ok: Key Vault key");
    }
}
