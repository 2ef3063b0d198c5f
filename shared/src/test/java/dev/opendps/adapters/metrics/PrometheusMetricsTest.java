package dev.opendps.adapters.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.domain.port.ProvisioningMetrics.DeviceOperation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {

    @Test
    void metersReachTheExportRegistryAsWellAsTheScrape() {
        // Stands in for the registry the Application Insights agent adds to micrometer's global registry.
        SimpleMeterRegistry exported = new SimpleMeterRegistry();
        PrometheusMetrics metrics = new PrometheusMetrics(exported);

        metrics.registrationAttempt("0ne00000001", "symmetricKey", "assigned");
        metrics.registrationAttempt("0ne00000001", "symmetricKey", "assigned");
        metrics.deviceAssignment("0ne00000001", "x509", "hub-1.azure-devices.net");
        metrics.deviceLatency(DeviceOperation.REGISTER, "0ne00000001", Duration.ofMillis(7));

        assertThat(exported.get(PrometheusMetrics.REGISTRATION_ATTEMPTS).tag("outcome", "assigned").counter().count())
                .isEqualTo(2.0);
        assertThat(exported.get(PrometheusMetrics.DEVICE_ASSIGNMENTS).tag("hub", "hub-1.azure-devices.net")
                .counter().count()).isEqualTo(1.0);
        assertThat(exported.get(PrometheusMetrics.DEVICE_LATENCY).timer().count()).isEqualTo(1);
        assertThat(metrics.scrape())
                .contains("RegistrationAttempts_total{attestationType=\"symmetricKey\",idScope=\"0ne00000001\",outcome=\"assigned\"} 2.0")
                .contains("DeviceAssignments_total");
    }

    @Test
    void withoutAnExportRegistryOnlyTheScrapeHasThem() {
        PrometheusMetrics metrics = new PrometheusMetrics();
        metrics.attestationAttempt("0ne00000001", "tpm", false);
        assertThat(metrics.scrape()).contains("AttestationAttempts_total{attestationType=\"tpm\",idScope=\"0ne00000001\",outcome=\"failure\"} 1.0");
    }
}
