package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.auth.SharedAccessSignature;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DPS's metrics, counted by the API layer and read back through the Prometheus scrape. */
class ProvisioningMetricsTest {
    /** One sample line of the text format: name, optional labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @TempDir
    java.nio.file.Path dataDir;

    ServiceApiFixture dps;
    String scope;

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir);
        scope = dps.instance.idScope();
    }

    @AfterEach
    void stop() throws Exception {
        dps.close();
    }

    private String enrollSymmetricKeyDevice(String id) {
        ApiResponse response = dps.api.individualEnrollment(dps.owner("PUT").json("{\"registrationId\":\"" + id
                + "\",\"attestation\":{\"type\":\"symmetricKey\"}}").build(), id);
        assertThat(response.status()).isEqualTo(200);
        return body(response).at("/attestation/symmetricKey/primaryKey").asText();
    }

    private ApiResponse register(String id, String base64Key) {
        String token = SharedAccessSignature.sign(scope + "/registrations/" + id,
                SharedAccessSignature.decodeKey(base64Key), Instant.now().plus(Duration.ofHours(1)), "registration");
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Authorization", token);
        return dps.application.deviceApi().register(new ApiRequest("PUT", headers, Map.of(),
                ("{\"registrationId\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8)), scope, id);
    }

    private record Sample(String name, Map<String, String> labels, double value) {
    }

    private List<Sample> scrape() {
        ApiResponse response = dps.application.diagnosticsApi().metrics(null);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers().get("Content-Type")).startsWith("text/plain; version=0.0.4");
        return new String(response.body(), StandardCharsets.UTF_8).lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> {
                    Matcher sample = SAMPLE.matcher(line);
                    assertThat(sample.matches()).as(line).isTrue();
                    Map<String, String> labels = new HashMap<>();
                    Matcher label = LABEL.matcher(sample.group(3) == null ? "" : sample.group(3));
                    while (label.find()) {
                        labels.put(label.group(1), label.group(2));
                    }
                    return new Sample(sample.group(1), labels, Double.parseDouble(sample.group(4)));
                }).toList();
    }

    private double value(String name, Map<String, String> labels) {
        return scrape().stream().filter(s -> s.name().equals(name) && s.labels().equals(labels))
                .mapToDouble(Sample::value).sum();
    }

    @Test
    void aSymmetricKeyRegistrationCountsASuccessfulAttestationAndAnAssignedRegistration() {
        register("metrics-1", enrollSymmetricKeyDevice("metrics-1"));

        assertThat(value("AttestationAttempts_total", Map.of("idScope", scope, "attestationType", "symmetricKey",
                "outcome", "success"))).isEqualTo(1.0);
        assertThat(value("RegistrationAttempts_total", Map.of("idScope", scope, "attestationType", "symmetricKey",
                "outcome", "assigned"))).isEqualTo(1.0);
    }

    @Test
    void aWrongKeyCountsAFailedAttestationAndNoAssignment() {
        enrollSymmetricKeyDevice("metrics-2");

        ApiResponse response = register("metrics-2", java.util.Base64.getEncoder().encodeToString(new byte[32]));

        assertThat(response.status()).isEqualTo(401);
        assertThat(value("AttestationAttempts_total", Map.of("idScope", scope, "attestationType", "symmetricKey",
                "outcome", "failure"))).isEqualTo(1.0);
        assertThat(value("RegistrationAttempts_total", Map.of("idScope", scope, "attestationType", "symmetricKey",
                "outcome", "error"))).isEqualTo(1.0);
        assertThat(scrape()).noneMatch(s -> s.name().startsWith("DeviceAssignments"));
    }

    @Test
    void anAssignmentIsCountedForTheHubTheDeviceGot() {
        JsonNode answer = body(register("metrics-3", enrollSymmetricKeyDevice("metrics-3")));
        String hub = answer.at("/registrationState/assignedHub").asText();

        assertThat(value("DeviceAssignments_total", Map.of("idScope", scope, "attestationType", "symmetricKey",
                "hub", hub))).isEqualTo(1.0);
    }

    @Test
    void anUnknownIdScopeSharesOneLabelValue() {
        Map<String, String> headers = Map.of("Authorization", "SharedAccessSignature sr=x&sig=y&se=1&skn=registration");
        dps.application.deviceApi().register(new ApiRequest("PUT", headers, Map.of(), new byte[0]), "0ne99999999", "d");

        assertThat(scrape()).noneMatch(s -> "0ne99999999".equals(s.labels().get("idScope")));
        assertThat(value("RegistrationAttempts_total", Map.of("idScope", "unknown", "attestationType", "symmetricKey",
                "outcome", "error"))).isEqualTo(1.0);
    }

    @Test
    void theScrapeIsPrometheusTextWithTypesAndLatencyHistograms() {
        register("metrics-4", enrollSymmetricKeyDevice("metrics-4"));
        String text = new String(dps.application.diagnosticsApi().metrics(null).body(), StandardCharsets.UTF_8);

        assertThat(text).contains("# TYPE AttestationAttempts_total counter", "# TYPE RegistrationAttempts_total counter",
                "# TYPE DeviceAssignments_total counter", "# TYPE DeviceOperationLatency_seconds histogram",
                "# TYPE ServiceOperationLatency_seconds histogram");
        List<Sample> samples = scrape();
        assertThat(samples).anyMatch(s -> s.name().equals("DeviceOperationLatency_seconds_bucket")
                && "register".equals(s.labels().get("operation")) && "+Inf".equals(s.labels().get("le"))
                && s.value() == 1.0);
        assertThat(samples).anyMatch(s -> s.name().equals("ServiceOperationLatency_seconds_count")
                && "enrollment.PUT".equals(s.labels().get("operation")) && "200".equals(s.labels().get("status")));
    }
}
