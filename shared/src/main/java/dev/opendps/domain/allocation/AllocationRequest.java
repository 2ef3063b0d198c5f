package dev.opendps.domain.allocation;

import java.util.List;
import java.util.Objects;

/**
 * The body DPS posts to a custom allocation webhook (dps-protocol.md §5 {@code AllocationRequest}): the
 * device, its enrollment, and the host names of the hubs the webhook may choose from ({@code linkedHubs}).
 * The wire mapper writes the enrollment without its keys.
 */
public record AllocationRequest(RegisteringDevice device, List<String> linkedHubs) {

    public AllocationRequest {
        Objects.requireNonNull(device, "device");
        linkedHubs = List.copyOf(linkedHubs);
    }
}
