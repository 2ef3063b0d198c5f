package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.port.KeyEncryptionKey;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST management/keys/rewrap}: after the key-encryption key was rotated elsewhere (as in Key Vault, where the
 * apps' identity may not rotate), the app re-wraps what it stored under the new version, and the records stay
 * readable and keep their etags.
 */
class KeyManagementApiTest {
    @TempDir
    Path dataDir;
    private ServiceApiFixture dps;

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir);
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
    }

    private static ApiRequest post() {
        return new ApiRequest("POST", Map.of(), Map.of(), new byte[0]);
    }

    @Test
    void aRotatedKeyIsCaughtUpWithAndASecondPassFindsNothingToDo() {
        ApiResponse created = dps.api.individualEnrollment(dps.owner("PUT")
                .json("{\"registrationId\":\"rewrap-1\",\"attestation\":{\"type\":\"symmetricKey\"}}").build(), "rewrap-1");
        assertThat(created.status()).isEqualTo(200);
        String etag = body(created).get("etag").asText();
        String primaryKey = body(created).at("/attestation/symmetricKey/primaryKey").asText();
        KeyEncryptionKey kek = dps.application.stores().keyEncryptionKey();
        String before = kek.currentVersion();
        String rotated = kek.rotate();

        ApiResponse first = dps.application.keyManagementApi().rewrap(post());
        ApiResponse second = dps.application.keyManagementApi().rewrap(post());

        assertThat(rotated).isNotEqualTo(before);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.headers()).containsEntry("Cache-Control", "no-store");
        JsonNode pass = body(first);
        assertThat(pass.get("version").asText()).isEqualTo(rotated);
        // The instance (its policy keys) and the enrollment (its symmetric keys) hold sealed secrets.
        assertThat(pass.get("rewritten").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(pass.get("unreadable").asLong()).isZero();
        assertThat(body(second).get("rewritten").asLong()).isZero();
        JsonNode read = body(dps.api.individualEnrollment(dps.owner("GET").build(), "rewrap-1"));
        assertThat(read.get("etag").asText()).isEqualTo(etag);
        assertThat(read.at("/attestation/symmetricKey/primaryKey").asText()).isEqualTo(primaryKey);
        assertThat(first.body()).asString().doesNotContain(primaryKey);
    }
}
