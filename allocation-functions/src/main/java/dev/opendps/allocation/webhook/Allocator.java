package dev.opendps.allocation.webhook;

/** One custom allocation policy: chooses a hub among the request's {@code linkedHubs}, or refuses. */
public interface Allocator {
    AllocationDecision allocate(AllocationRequest request);
}
