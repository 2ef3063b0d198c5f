package dev.opendps.adapters.metrics;

import dev.opendps.domain.port.ProvisioningMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * Provisioning metrics kept in memory in a micrometer Prometheus registry, read as Prometheus text
 * exposition ({@link #scrape()}). Counters carry DPS's metric names; the ID scope goes in the label
 * {@code idScope} because Prometheus reserves {@code instance} for the scraped target.
 *
 * <p>Every meter is also registered with a second registry, when given: the application passes micrometer's global
 * registry, which the Application Insights Java agent (on Azure Functions, {@code APPLICATIONINSIGHTS_ENABLE_AGENT=true})
 * reads and exports as custom metrics. Without the agent the global registry holds no registry and forwards nothing.
 */
public final class PrometheusMetrics implements ProvisioningMetrics {
    public static final String ATTESTATION_ATTEMPTS = "AttestationAttempts";
    public static final String REGISTRATION_ATTEMPTS = "RegistrationAttempts";
    public static final String DEVICE_ASSIGNMENTS = "DeviceAssignments";
    public static final String DEVICE_LATENCY = "DeviceOperationLatency";
    public static final String SERVICE_LATENCY = "ServiceOperationLatency";

    /** Bucket bounds: registrations take milliseconds locally, seconds when a hub or webhook is slow. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MeterRegistry registry;

    /** Kept in the Prometheus registry only. */
    public PrometheusMetrics() {
        this.registry = prometheus;
    }

    /** Kept in the Prometheus registry, and registered with {@code exportTo} too (e.g. micrometer's global registry). */
    public PrometheusMetrics(MeterRegistry exportTo) {
        CompositeMeterRegistry both = new CompositeMeterRegistry();
        both.add(prometheus);
        both.add(exportTo);
        this.registry = both;
    }

    @Override
    public void attestationAttempt(String idScope, String attestationType, boolean success) {
        Counter.builder(ATTESTATION_ATTEMPTS).description("Device attestations on register")
                .tag("idScope", idScope).tag("attestationType", attestationType)
                .tag("outcome", success ? "success" : "failure")
                .register(registry).increment();
    }

    @Override
    public void registrationAttempt(String idScope, String attestationType, String outcome) {
        Counter.builder(REGISTRATION_ATTEMPTS).description("Register calls by the registration status they ended in")
                .tag("idScope", idScope).tag("attestationType", attestationType).tag("outcome", outcome)
                .register(registry).increment();
    }

    @Override
    public void deviceAssignment(String idScope, String attestationType, String hub) {
        Counter.builder(DEVICE_ASSIGNMENTS).description("Devices assigned to a hub")
                .tag("idScope", idScope).tag("attestationType", attestationType).tag("hub", hub)
                .register(registry).increment();
    }

    @Override
    public void deviceLatency(DeviceOperation operation, String idScope, Duration latency) {
        Timer.builder(DEVICE_LATENCY).description("Server-side time of device operations")
                .tag("operation", operation.tag()).tag("idScope", idScope)
                .serviceLevelObjectives(BUCKETS)
                .register(registry).record(latency);
    }

    @Override
    public void serviceLatency(String operation, int httpStatus, Duration latency) {
        Timer.builder(SERVICE_LATENCY).description("Server-side time of service API calls")
                .tag("operation", operation).tag("status", String.valueOf(httpStatus))
                .serviceLevelObjectives(BUCKETS)
                .register(registry).record(latency);
    }

    /** Everything recorded, in the Prometheus text format (version 0.0.4). */
    public String scrape() {
        return prometheus.scrape();
    }

    /** The content type of {@link #scrape()}. */
    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }
}
