package dev.opendps.domain.allocation;

import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.EnrollmentSettings;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.port.AllocationWebhook;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Chooses the IoT hub a registering device goes to (dps-protocol.md §6.1).
 *
 * <ul>
 *   <li>Policy: the enrollment's {@code allocationPolicy}, else the instance's default.</li>
 *   <li>Candidates: the linked hubs named in the enrollment's {@code iotHubs} (case-insensitively; names that
 *       are not linked hubs are ignored), or every linked hub if {@code iotHubs} is empty. An enrollment that
 *       names only hubs that are no longer linked gets no hub rather than any hub: it asked for those.</li>
 *   <li>{@code hashed}: {@link WeightedHashAllocation} over the candidates that have
 *       {@code applyAllocationPolicy}.</li>
 *   <li>{@code geoLatency}: {@link GeoLatencyAllocation} over the same candidates: the hub nearest the
 *       location the device sent in its payload, by the configured {@link HubLocations}, hashed by weight among
 *       equally near hubs; without a device location or hub locations, the weighted hash alone.</li>
 *   <li>{@code static}: the enrollment's one hub ({@code iotHubs[0]}, else the legacy {@code iotHubHostName}),
 *       which must be linked; {@code applyAllocationPolicy} does not apply, since nothing is being chosen.</li>
 *   <li>{@code custom}: the enrollment's webhook chooses among the candidates that have
 *       {@code applyAllocationPolicy} ({@link CustomAllocation}, §5); it is called on every registration, also
 *       when the device keeps its hub, and is then offered only that hub.</li>
 * </ul>
 * A device for which no hub is found fails with 400208.
 */
public final class HubAllocation {
    /** Null when this allocation has no way to call webhooks: {@code custom} then fails with 400207. */
    private final CustomAllocation custom;
    private final HubLocations hubLocations;

    /** Allocation without webhooks: for the built-in policies only. */
    public HubAllocation() {
        this(null, HubLocations.NONE);
    }

    /** Allocation whose {@code custom} policy calls webhooks through {@code webhook}. */
    public HubAllocation(AllocationWebhook webhook) {
        this(new CustomAllocation(webhook), HubLocations.NONE);
    }

    private HubAllocation(CustomAllocation custom, HubLocations hubLocations) {
        this.custom = custom;
        this.hubLocations = Objects.requireNonNull(hubLocations, "hubLocations");
    }

    /** This allocation, with {@code geoLatency} measuring distances to {@code locations}. */
    public HubAllocation withHubLocations(HubLocations locations) {
        return new HubAllocation(custom, locations);
    }

    /**
     * The hub for a registering device. {@code keptHub} is the hub the device stays on because its enrollment
     * says {@code updateHubAssignment: false} (§6.4), or null: the built-in policies then just keep it, while
     * {@code custom} still calls the webhook, offering only that hub, so the webhook can refresh the payload
     * (§5).
     */
    public AllocationResult allocate(ProvisioningInstance instance, RegisteringDevice device, LinkedHub keptHub) {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(device, "device");
        EnrollmentSettings enrollment = device.settings();
        if (policy(instance, enrollment) != AllocationPolicy.CUSTOM) {
            return keptHub != null ? AllocationResult.assigned(keptHub)
                    : allocate(instance, enrollment, device.registrationId(),
                            GeoLatencyAllocation.deviceLocation(device.runtimeContext().payload()).orElse(null));
        }
        if (custom == null) {
            return AllocationResult.failed(ErrorCode.CUSTOM_ALLOCATION_FAILED,
                    "Custom allocation is not available in this deployment.");
        }
        if (keptHub != null) {
            return custom.allocate(device, List.of(keptHub));
        }
        if (instance.linkedHubs().isEmpty()) {
            return noLinkedHub();
        }
        List<LinkedHub> candidates = candidates(instance, enrollment);
        if (candidates.isEmpty()) {
            return notLinked(enrollment);
        }
        List<LinkedHub> allocatable = candidates.stream().filter(LinkedHub::applyAllocationPolicy).toList();
        if (allocatable.isEmpty()) {
            return noneAllocatable(candidates);
        }
        return custom.allocate(device, allocatable);
    }

    /**
     * The hub for {@code registrationId} registering through {@code enrollment} on {@code instance}, by a
     * built-in policy: {@code custom} needs the device's runtime context (the other {@code allocate}) and
     * fails here with 400207. Without the device's location, {@code geoLatency} is the weighted hash.
     */
    public AllocationResult allocate(ProvisioningInstance instance, EnrollmentSettings enrollment,
                                     String registrationId) {
        return allocate(instance, enrollment, registrationId, null);
    }

    /** As above, for a device at {@code deviceLocation} (null if it sent none). */
    public AllocationResult allocate(ProvisioningInstance instance, EnrollmentSettings enrollment,
                                     String registrationId, GeoLocation deviceLocation) {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(enrollment, "enrollment");
        Objects.requireNonNull(registrationId, "registrationId");
        return switch (policy(instance, enrollment)) {
            case HASHED -> hashed(instance, enrollment, registrationId, null);
            case GEO_LATENCY -> hashed(instance, enrollment, registrationId, deviceLocation);
            case STATIC -> staticHub(instance, enrollment);
            case CUSTOM -> AllocationResult.failed(ErrorCode.CUSTOM_ALLOCATION_FAILED,
                    "Custom allocation needs the registering device's runtime context.");
        };
    }

    /** The policy that allocates devices of {@code enrollment}: its own, else the instance's default. */
    public static AllocationPolicy policy(ProvisioningInstance instance, EnrollmentSettings enrollment) {
        return enrollment.allocationPolicy() != null ? enrollment.allocationPolicy() : instance.defaultAllocationPolicy();
    }

    /** {@code hashed}, or {@code geoLatency} for a device at {@code deviceLocation}: same candidates, same failures. */
    private AllocationResult hashed(ProvisioningInstance instance, EnrollmentSettings enrollment,
                                    String registrationId, GeoLocation deviceLocation) {
        if (instance.linkedHubs().isEmpty()) {
            return noLinkedHub();
        }
        List<LinkedHub> candidates = candidates(instance, enrollment);
        if (candidates.isEmpty()) {
            return notLinked(enrollment);
        }
        List<LinkedHub> allocatable = candidates.stream().filter(LinkedHub::applyAllocationPolicy).toList();
        return GeoLatencyAllocation.choose(registrationId, deviceLocation, allocatable, hubLocations)
                .map(AllocationResult::assigned)
                .orElseGet(() -> noneAllocatable(candidates));
    }

    private static AllocationResult notLinked(EnrollmentSettings enrollment) {
        return AllocationResult.failed(ErrorCode.NO_HUB, "The enrollment's IoT hubs " + enrollment.iotHubs()
                + " are not linked to this provisioning service.");
    }

    private static AllocationResult noneAllocatable(List<LinkedHub> candidates) {
        return AllocationResult.failed(ErrorCode.NO_HUB, "No candidate IoT hub " + hostNames(candidates)
                + " has applyAllocationPolicy set, so the allocation policy may choose none of them.");
    }

    /**
     * The linked hubs the enrollment allows, each once, in the order of the instance's links; the policy then
     * chooses among those with {@code applyAllocationPolicy}.
     */
    public static List<LinkedHub> candidates(ProvisioningInstance instance, EnrollmentSettings enrollment) {
        if (enrollment.iotHubs().isEmpty()) {
            return instance.linkedHubs();
        }
        List<LinkedHub> named = new ArrayList<>();
        for (LinkedHub hub : instance.linkedHubs()) {
            if (enrollment.iotHubs().stream().anyMatch(name -> name.equalsIgnoreCase(hub.hostName()))) {
                named.add(hub);
            }
        }
        return named;
    }

    /** The one hub a {@code static} enrollment names: {@code iotHubs[0]}, else {@code iotHubHostName}; may be null. */
    public static String staticHubName(EnrollmentSettings enrollment) {
        return !enrollment.iotHubs().isEmpty() ? enrollment.iotHubs().get(0) : enrollment.iotHubHostName();
    }

    private static AllocationResult staticHub(ProvisioningInstance instance, EnrollmentSettings enrollment) {
        String name = staticHubName(enrollment);
        if (name == null || name.isBlank()) {
            return AllocationResult.failed(ErrorCode.NO_HUB,
                    "The static allocation policy needs the enrollment to name one IoT hub, and it names none.");
        }
        if (instance.linkedHubs().isEmpty()) {
            return noLinkedHub();
        }
        return instance.linkedHub(name)
                .map(AllocationResult::assigned)
                .orElseGet(() -> AllocationResult.failed(ErrorCode.NO_HUB, "The enrollment's static IoT hub '"
                        + name + "' is not linked to this provisioning service."));
    }

    private static AllocationResult noLinkedHub() {
        return AllocationResult.failed(ErrorCode.NO_HUB, "No IoT hub is linked to this provisioning service.");
    }

    private static List<String> hostNames(List<LinkedHub> hubs) {
        return hubs.stream().map(LinkedHub::hostName).toList();
    }
}
