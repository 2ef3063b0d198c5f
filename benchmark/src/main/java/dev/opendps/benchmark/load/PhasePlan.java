package dev.opendps.benchmark.load;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One phase of fresh-connection load.
 *
 * @param duration measured window after {@code warmup}; {@code null} runs until {@code source} is exhausted
 *                 and measures all of it (used to warm returning devices)
 */
public record PhasePlan(String name, String kind, int groups, int concurrency, InetSocketAddress address,
                        ScriptSource source, Duration warmup, Duration duration) {

    public static PhasePlan timed(String name, String kind, int groups, int concurrency, InetSocketAddress address,
                                  ScriptSource source, Duration warmup, Duration duration) {
        return new PhasePlan(name, kind, groups, concurrency, address, source, warmup, duration);
    }

    public static PhasePlan untilExhausted(String name, String kind, int groups, int concurrency,
                                           InetSocketAddress address, ScriptSource source) {
        return new PhasePlan(name, kind, groups, concurrency, address, source, Duration.ZERO, null);
    }
}
