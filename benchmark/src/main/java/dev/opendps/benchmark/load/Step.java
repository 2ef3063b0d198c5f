package dev.opendps.benchmark.load;

import io.netty.handler.codec.http.FullHttpRequest;

/** The next move of a {@link ConnectionScript}: another request, success, or failure of a named kind. */
public sealed interface Step {

    Step SUCCEEDED = new Succeeded();

    static Step send(FullHttpRequest request, long delayMillis) {
        return new Send(request, delayMillis);
    }

    /** {@code kind} groups failures in the report, so it must not carry per-request details such as ids. */
    static Step failed(String kind) {
        return new Failed(kind);
    }

    record Send(FullHttpRequest request, long delayMillis) implements Step {
    }

    record Succeeded() implements Step {
    }

    record Failed(String kind) implements Step {
    }
}
