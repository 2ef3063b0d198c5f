package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.app.ProvisioningApplication;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.testing.KeyVaultTestBed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When Key Vault cannot wrap or unwrap, a call that needs it is DPS's 503 ({@code 503001}, with a tracking id),
 * never a 500, and changes nothing; calls served from the unwrapped-key cache go on meanwhile.
 */
class KeyVaultUnavailableApiTest {
    @TempDir
    Path dataDir;

    KeyVaultTestBed bed;
    ServiceApiFixture dps;

    @BeforeEach
    void start() {
        bed = KeyVaultTestBed.start("unavailable-kek");
        dps = open();
    }

    private ServiceApiFixture open() {
        return new ServiceApiFixture(dataDir, bed.settings(), Clock.systemUTC(), stores -> stores, List.of(),
                settings -> ProvisioningApplication.keyEncryptionKey(settings, bed.options()));
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
        bed.close();
    }

    private ApiResponse putEnrollment(ServiceApiFixture app, String id, String primary) {
        return app.api.individualEnrollment(app.owner("PUT").json("{\"registrationId\":\"" + id
                + "\",\"attestation\":{\"type\":\"symmetricKey\",\"symmetricKey\":{\"primaryKey\":\"" + primary
                + "\",\"secondaryKey\":\"" + SymmetricKeys.generate() + "\"}}}").build(), id);
    }

    private static void assertServiceUnavailable(ApiResponse response) {
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(503);
        JsonNode error = body(response);
        assertThat(error.get("errorCode").asInt()).isEqualTo(503001);
        assertThat(error.get("trackingId").asText()).isNotBlank();
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain("mi-token");
    }

    /** The application moves to a new key version (rotated in Key Vault), so its next secret needs a new wrap. */
    private void rotateInKeyVaultAndLetTheApplicationNotice() throws InterruptedException {
        String rotated = bed.vault.rotate(bed.keyName);
        Thread.sleep(300); // past the 200 ms refresh interval of the test options
        assertThat(putEnrollment(dps, "noticing", SymmetricKeys.generate()).status()).isEqualTo(200);
        assertThat(bed.vault.requests()).anyMatch(r -> r.path().endsWith("/" + rotated + "/wrapkey"));
        bed.vault.rotate(bed.keyName);
        Thread.sleep(300);
    }

    @Test
    void anEnrollmentWhoseSecretCannotBeSealedIs503AndNotStored() throws Exception {
        rotateInKeyVaultAndLetTheApplicationNotice();
        bed.vault.failWith(503, "wrapkey");

        assertServiceUnavailable(putEnrollment(dps, "dev-1", SymmetricKeys.generate()));

        bed.vault.behave();
        assertThat(dps.api.individualEnrollment(dps.owner("GET").build(), "dev-1").status()).isEqualTo(404);
        assertThat(putEnrollment(dps, "dev-1", SymmetricKeys.generate()).status()).isEqualTo(200);
    }

    @Test
    void aDeviceWhoseEnrollmentCannotBeOpenedIs503() throws Exception {
        // A second process, whose cache has the data key of the instance but not that of the enrollment below.
        try (ServiceApiFixture other = open()) {
            rotateInKeyVaultAndLetTheApplicationNotice();
            String key = SymmetricKeys.generate();
            assertThat(putEnrollment(dps, "dev-2", key).status()).isEqualTo(200);
            bed.vault.failWith(503, "unwrapkey");

            String scope = dps.instance.idScope();
            Map<String, String> headers = new HashMap<>();
            headers.put("Content-Type", "application/json; charset=utf-8");
            headers.put("Authorization", SharedAccessSignature.sign(scope + "/registrations/dev-2",
                    SharedAccessSignature.decodeKey(key), Instant.now().plus(Duration.ofHours(1)), "registration"));
            ApiResponse registered = other.application.deviceApi().register(new ApiRequest("PUT", headers,
                    Map.of("api-version", "2019-03-31"), "{\"registrationId\":\"dev-2\"}".getBytes(StandardCharsets.UTF_8)),
                    scope, "dev-2");

            assertServiceUnavailable(registered);
            bed.vault.behave();
            assertThat(other.application.stores().registrationStates().find(scope, "dev-2")).isEmpty();
        }
    }
}
