package dev.opendps.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.wire.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Health and metrics of the provisioning app, independent of the HTTP host. Health runs every check on each
 * call (no caching: a probe wants the state now) and answers 200 only when none failed.
 */
public final class DiagnosticsApi {
    private static final Logger LOG = Logger.getLogger("ServiceOperations");

    /** One dependency's health: returns what to report ({@code ok}, {@code not configured}), throws when it fails. */
    @FunctionalInterface
    public interface HealthCheck {
        String check();
    }

    private final Map<String, HealthCheck> checks;
    private final Supplier<String> metricsText;
    private final String metricsContentType;

    /** {@code checks} in the order the body lists them; {@code metricsText} renders the metrics for a scrape. */
    public DiagnosticsApi(Map<String, HealthCheck> checks, Supplier<String> metricsText, String metricsContentType) {
        this.checks = new LinkedHashMap<>(checks);
        this.metricsText = metricsText;
        this.metricsContentType = metricsContentType;
    }

    /** {@code GET /health}: {@code {"status":"healthy","checks":{…}}}, or 503 naming the check that failed. */
    public ApiResponse health(ApiRequest request) {
        ObjectNode results = Json.object();
        boolean healthy = true;
        for (Map.Entry<String, HealthCheck> check : checks.entrySet()) {
            String result;
            try {
                result = check.getValue().check();
            } catch (RuntimeException e) {
                // The cause goes to the log only: an anonymous probe learns which check failed, not why.
                LOG.log(Level.WARNING, "health check " + check.getKey() + " failed", e);
                result = "failed";
                healthy = false;
            }
            results.put(check.getKey(), result);
        }
        ObjectNode body = Json.object();
        body.put("status", healthy ? "healthy" : "unhealthy");
        body.set("checks", results);
        return ApiResponse.json(healthy ? 200 : 503, body, Map.of("Cache-Control", "no-store"));
    }

    /** {@code GET /diagnostics/metrics}: every metric in the Prometheus text format. */
    public ApiResponse metrics(ApiRequest request) {
        return new ApiResponse(200, Map.of("Content-Type", metricsContentType, "Cache-Control", "no-store"),
                metricsText.get().getBytes(StandardCharsets.UTF_8));
    }
}
