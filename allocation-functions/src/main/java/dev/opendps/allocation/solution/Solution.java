package dev.opendps.allocation.solution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.allocation.webhook.InitialTwin;
import java.util.List;
import java.util.Objects;

/**
 * An IoT solution with hubs of its own, and how its devices are recognised.
 *
 * @param deviceTypes            values of {@code payload.deviceType} that belong here (case-insensitive)
 * @param registrationIdPrefixes registration id prefixes that belong here (case-insensitive)
 * @param enrollmentGroups       enrollment group ids whose devices belong here
 * @param initialTwin            tags and desired properties the solution's devices start with
 * @param payload                returned to the device at registration; null for none
 */
public record Solution(String name, List<String> hubs, List<String> deviceTypes, List<String> registrationIdPrefixes,
                       List<String> enrollmentGroups, InitialTwin initialTwin, ObjectNode payload) {
    public Solution {
        Objects.requireNonNull(name, "name");
        hubs = List.copyOf(hubs);
        deviceTypes = List.copyOf(deviceTypes);
        registrationIdPrefixes = List.copyOf(registrationIdPrefixes);
        enrollmentGroups = List.copyOf(enrollmentGroups);
        initialTwin = initialTwin == null ? InitialTwin.empty() : initialTwin;
        payload = payload == null ? null : payload.deepCopy();
    }
}
