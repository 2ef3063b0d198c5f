package dev.opendps.allocation.solution;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.allocation.webhook.AllocationDecision;
import dev.opendps.allocation.webhook.AllocationRequest;
import dev.opendps.allocation.webhook.Allocator;
import dev.opendps.allocation.webhook.InitialTwin;
import dev.opendps.allocation.webhook.StableHash;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Solution isolation: a device goes to a hub of its solution, recognised by the first rule that matches:
 * {@code payload.deviceType}, then the registration id's longest configured prefix, then the enrollment group
 * it came through. A device type no solution claims falls through to the next rules. Among the solution's
 * offered hubs the stable hash of the registration id chooses. The twin is the enrollment's initial twin,
 * then the solution's, then {@code tags.solution}.
 */
public final class SolutionIsolationAllocator implements Allocator {
    private final SolutionCatalog catalog;

    public SolutionIsolationAllocator(SolutionCatalog catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
    }

    @Override
    public AllocationDecision allocate(AllocationRequest request) {
        if (catalog.isEmpty()) {
            return new AllocationDecision.Refuse(400,
                    "Solution isolation knows no solutions: ALLOCATION_SOLUTIONS is not configured.");
        }
        JsonNode deviceType = request.payloadField("deviceType");
        String type = deviceType != null && deviceType.isTextual() ? deviceType.asText() : null;
        Optional<Solution> found = Optional.ofNullable(type).flatMap(catalog::byDeviceType)
                .or(() -> catalog.byRegistrationIdPrefix(request.registrationId()))
                .or(() -> Optional.ofNullable(request.enrollmentGroupId()).flatMap(catalog::byEnrollmentGroup));
        if (found.isEmpty()) {
            return new AllocationDecision.Refuse(404, "No solution for the device '" + request.registrationId()
                    + "': " + (type == null ? "no payload.deviceType" : "no solution has the device type '" + type + "'")
                    + ", no registration id prefix matches"
                    + (request.enrollmentGroupId() == null ? ", and it has no enrollment group."
                            : ", and no solution has the enrollment group '" + request.enrollmentGroupId() + "'."));
        }
        Solution solution = found.get();
        List<String> offered = request.offeredAmong(solution.hubs());
        Optional<String> hub = StableHash.choose(request.registrationId(), offered);
        if (hub.isEmpty()) {
            return new AllocationDecision.Refuse(400, "The solution '" + solution.name()
                    + "' has no hub among those offered " + request.linkedHubs() + " (its hubs: " + solution.hubs() + ").");
        }
        InitialTwin twin = request.enrollmentInitialTwin().overlaidWith(solution.initialTwin())
                .withTag("solution", solution.name());
        return new AllocationDecision.Assign(hub.get(), twin, solution.payload());
    }
}
