package dev.opendps.allocation.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a custom allocation webhook learns from DPS (dps-protocol.md §5 {@code AllocationRequest}), reduced to
 * what the allocators use.
 *
 * @param registrationId        {@code deviceRuntimeContext.registrationId}, always present
 * @param currentIotHubHostName the hub the device is on, when it was assigned before; else null
 * @param enrollmentGroupId     {@code enrollmentGroup.enrollmentGroupId} when the device came through a group; else null
 * @param enrollmentInitialTwin the enrollment's {@code initialTwin} (empty when it has none)
 * @param payload               the device's payload when it sent a JSON object; else null
 * @param linkedHubs            the hubs DPS offers, in its order and spelling, without duplicates
 */
public record AllocationRequest(String registrationId, String currentIotHubHostName, String enrollmentGroupId,
                                InitialTwin enrollmentInitialTwin, ObjectNode payload, List<String> linkedHubs) {
    public AllocationRequest {
        Objects.requireNonNull(registrationId, "registrationId");
        enrollmentInitialTwin = enrollmentInitialTwin == null ? InitialTwin.empty() : enrollmentInitialTwin;
        linkedHubs = List.copyOf(linkedHubs);
    }

    /** The payload's field, or null when there is no payload or no such field (a JSON null counts as absent). */
    public JsonNode payloadField(String name) {
        JsonNode value = payload == null ? null : payload.get(name);
        return value == null || value.isNull() ? null : value;
    }

    /**
     * The offered hubs that are also among {@code hubs} (host names compare case-insensitively), in the
     * spelling of {@code linkedHubs}, which is the one DPS accepts back.
     */
    public List<String> offeredAmong(Collection<String> hubs) {
        List<String> wanted = hubs.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        List<String> result = new ArrayList<>();
        for (String offered : linkedHubs) {
            if (wanted.contains(offered.toLowerCase(Locale.ROOT))) {
                result.add(offered);
            }
        }
        return result;
    }
}
