package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.auth.SharedAccessSignature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET management/instances}: what an administrator needs to connect after a deployment. */
class InstanceManagementApiTest {
    @TempDir
    Path dataDir;
    private ServiceApiFixture dps;
    private InstanceManagementApi api;

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir);
        api = dps.application.instanceManagementApi();
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
    }

    private static ApiRequest get() {
        return new ApiRequest("GET", Map.of(), Map.of(), new byte[0]);
    }

    @Test
    void everyInstanceIsListedWithItsIdScopeHostNameAndServiceConnectionString() {
        ApiResponse response = api.instances(get(), null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers()).containsEntry("Cache-Control", "no-store");
        JsonNode listed = body(response).get("instances");
        assertThat(listed).hasSize(1);
        JsonNode instance = listed.get(0);
        assertThat(instance.get("hostName").asText()).isEqualTo(ServiceApiFixture.HOST);
        assertThat(instance.get("idScope").asText()).isEqualTo(dps.instance.idScope());
        assertThat(instance.get("globalDeviceEndpoint").asText()).isEqualTo(ServiceApiFixture.HOST);
        assertThat(instance.get("allocationPolicy").asText()).isEqualTo("hashed");
        assertThat(instance.get("serviceConnectionString").asText()).isEqualTo("HostName=" + ServiceApiFixture.HOST
                + ";SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=" + dps.owner().primaryKey());
        assertThat(instance.get("linkedHubs")).hasSize(2);
    }

    @Test
    void theConnectionStringItGivesOpensTheServiceApi() {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String part : body(api.instances(get(), ServiceApiFixture.HOST)).get("serviceConnectionString").asText()
                .split(";")) {
            String[] pair = part.split("=", 2);
            fields.put(pair[0], pair[1]);
        }
        String token = SharedAccessSignature.sign(fields.get("HostName"),
                SharedAccessSignature.decodeKey(fields.get("SharedAccessKey")), Instant.now().plus(Duration.ofHours(1)),
                fields.get("SharedAccessKeyName"));

        ApiResponse put = dps.api.individualEnrollment(new ServiceApiFixture.Request(token).method("PUT")
                .json("{\"registrationId\":\"via-management\",\"attestation\":{\"type\":\"symmetricKey\"}}").build(),
                "via-management");

        assertThat(put.status()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    }

    @Test
    void linkedHubsAreNamedWithoutTheirCredentials() {
        String text = new String(api.instances(get(), null).body(), StandardCharsets.UTF_8);

        for (LinkedHub hub : dps.instance.linkedHubs()) {
            assertThat(text).contains(hub.hostName());
            String key = hub.connectionString().replaceAll(".*SharedAccessKey=([^;]+).*", "$1");
            assertThat(text).doesNotContain(key);
        }
    }

    @Test
    void oneInstanceByItsHostName() {
        ApiResponse response = api.instances(get(), ServiceApiFixture.HOST.toUpperCase(java.util.Locale.ROOT));

        assertThat(response.status()).isEqualTo(200);
        assertThat(body(response).get("idScope").asText()).isEqualTo(dps.instance.idScope());
    }

    @Test
    void anUnknownHostNameIsNotFound() {
        ApiResponse response = api.instances(get(), "nobody.example.net");

        assertThat(response.status()).isEqualTo(404);
        assertThat(body(response).get("errorCode").asInt()).isEqualTo(404205);
        assertThat(body(response).get("trackingId").asText()).isNotBlank();
    }
}
