package dev.opendps.benchmark.load;

/** Hands out the script of the next connection; {@code null} once a finite work list is exhausted. Thread-safe. */
@FunctionalInterface
public interface ScriptSource {
    ConnectionScript next();
}
