package dev.opendps.benchmark.load;

import dev.opendps.benchmark.load.CpuSample.CpuUsage;

/**
 * The measured figures of one phase.
 *
 * @param kind       what was measured: {@code baseline}, {@code register-first-time}, {@code register-returning},
 *                   {@code in-process-…}
 * @param groups     enrollment groups the devices were spread over (0 for the baseline)
 * @param seconds    length of the measured window
 * @param tls        negotiated protocol and cipher, or {@code in-process}
 * @param resumedHandshakes TLS handshakes in the window that resumed a session (0 = all were full handshakes;
 *                   -1 unknown)
 */
public record PhaseResult(String name, String kind, int groups, int concurrency, double seconds,
                          PhaseRecorder.Totals totals, CpuUsage cpu, String tls, long resumedHandshakes) {

    public double perSecond() {
        return seconds > 0 ? totals.succeeded() / seconds : 0;
    }

    /** Latency percentile in milliseconds (NaN without samples). */
    public double latencyMillis(double percentile) {
        return millis(totals.latencyMicros().getTotalCount() == 0 ? Double.NaN
                : totals.latencyMicros().getValueAtPercentile(percentile));
    }

    public double serverMillis(double percentile) {
        return millis(totals.serverMicros().getTotalCount() == 0 ? Double.NaN
                : totals.serverMicros().getValueAtPercentile(percentile));
    }

    public double meanLatencyMillis() {
        return millis(totals.latencyMicros().getTotalCount() == 0 ? Double.NaN : totals.latencyMicros().getMean());
    }

    public double meanServerMillis() {
        return millis(totals.serverMicros().getTotalCount() == 0 ? Double.NaN : totals.serverMicros().getMean());
    }

    public double handshakeMillis(double percentile) {
        return millis(totals.handshakeMicros().getTotalCount() == 0 ? Double.NaN
                : totals.handshakeMicros().getValueAtPercentile(percentile));
    }

    public boolean hasServerTiming() {
        return totals.serverMicros().getTotalCount() > 0;
    }

    /** Requests per successful exchange: 1 for the baseline, 1 + polls for registrations. */
    public double requestsPerExchange() {
        return totals.succeeded() == 0 ? Double.NaN : (double) totals.requests() / totals.succeeded();
    }

    private static double millis(double micros) {
        return micros / 1000.0;
    }
}
