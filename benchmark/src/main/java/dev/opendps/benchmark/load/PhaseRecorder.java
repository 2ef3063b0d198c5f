package dev.opendps.benchmark.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Collects the outcomes of one phase from many threads without locking. All times in microseconds. */
public final class PhaseRecorder {

    private final Recorder latency = new Recorder(3);
    private final Recorder serverTime = new Recorder(3);
    private final Recorder handshake = new Recorder(3);
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder withServerTiming = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();

    /**
     * @param serverMicros server-reported time summed over the exchange's responses, or -1 when no response
     *                     carried it
     * @param handshakeMicros -1 when there was no TLS handshake (in-process calls)
     */
    public void succeeded(long latencyMicros, long handshakeMicros, long serverMicros, int requestCount) {
        succeeded.increment();
        requests.add(requestCount);
        latency.recordValue(Math.max(0, latencyMicros));
        if (handshakeMicros >= 0) {
            handshake.recordValue(handshakeMicros);
        }
        if (serverMicros >= 0) {
            withServerTiming.increment();
            serverTime.recordValue(serverMicros);
        }
    }

    public void failed(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    public Totals totals() {
        Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((kind, count) -> errorCounts.put(kind, count.sum()));
        return new Totals(succeeded.sum(), requests.sum(), withServerTiming.sum(), errorCounts,
                latency.getIntervalHistogram(), serverTime.getIntervalHistogram(), handshake.getIntervalHistogram());
    }

    /** A snapshot; taking it resets the histograms. */
    public record Totals(long succeeded, long requests, long withServerTiming, Map<String, Long> errors,
                         Histogram latencyMicros, Histogram serverMicros, Histogram handshakeMicros) {
        public long failed() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
