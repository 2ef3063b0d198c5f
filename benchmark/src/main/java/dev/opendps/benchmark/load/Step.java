package dev.opendps.benchmark.load;

import java.util.List;

/** The next move of a {@link ConnectionScript}: more messages, success, or failure of a named kind. */
public sealed interface Step {

    Step SUCCEEDED = new Succeeded();

    static Step send(Object message, long delayMillis) {
        return new Send(List.of(message), delayMillis);
    }

    /** Several messages written together (e.g. an MQTT acknowledgement and the next request). */
    static Step sendAll(List<Object> messages) {
        return new Send(List.copyOf(messages), 0);
    }

    /** {@code kind} groups failures in the report, so it must not carry per-request details such as ids. */
    static Step failed(String kind) {
        return new Failed(kind);
    }

    record Send(List<Object> messages, long delayMillis) implements Step {
    }

    record Succeeded() implements Step {
    }

    record Failed(String kind) implements Step {
    }
}
