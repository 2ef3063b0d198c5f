package dev.opendps.service.registration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.EnrollmentSettings;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.RecordVersion;
import dev.opendps.domain.RegistrationOperation;
import dev.opendps.domain.RegistrationStatus;
import dev.opendps.domain.allocation.AllocationResult;
import dev.opendps.domain.allocation.HubAllocation;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.EnrollmentStore;
import dev.opendps.domain.port.EtagMismatchException;
import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.RecordAlreadyExistsException;
import dev.opendps.domain.port.RecordNotFoundException;
import dev.opendps.domain.port.RegistrationOperationStore;
import dev.opendps.domain.port.RegistrationStateStore;
import dev.opendps.service.InstanceDirectory;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Device registration (dps-protocol.md §1, §2.1, §6, §7): attest the device, find its enrollment, pick a
 * hub, create or update its identity there, and record the outcome as its registration state and as an
 * operation the device may poll. Allocation completes within the call, so the register answer already
 * carries the final state.
 */
public final class DeviceRegistrationService {
    /** Attempts when a concurrent registration of the same device changes its state under us. */
    private static final int ATTEMPTS = 4;
    private static final Duration OPERATION_LIFETIME = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final InstanceDirectory directory;
    private final RegistrationStateStore states;
    private final RegistrationOperationStore operations;
    private final HubRegistry hubs;
    private final HubAllocation allocation;
    private final SymmetricKeyAttestationCheck symmetricKeys;
    private final Clock clock;
    private final AtomicLong nextExpiryCleanup = new AtomicLong();
    private final Lock[] deviceLocks = new Lock[256];

    public DeviceRegistrationService(InstanceDirectory directory, EnrollmentStore enrollments,
                                     EnrollmentGroupStore groups, RegistrationStateStore states,
                                     RegistrationOperationStore operations, HubRegistry hubs,
                                     HubAllocation allocation, Clock clock, Duration allowedSkew,
                                     Duration maxTokenLifetime) {
        this.directory = directory;
        this.states = states;
        this.operations = operations;
        this.hubs = hubs;
        this.allocation = allocation;
        this.symmetricKeys = new SymmetricKeyAttestationCheck(enrollments, groups, clock, allowedSkew, maxTokenLifetime);
        this.clock = clock;
        for (int i = 0; i < deviceLocks.length; i++) {
            deviceLocks[i] = new ReentrantLock();
        }
    }

    /** What a device sent to register: path values, its Authorization header and its body's fields. */
    public record RegisterRequest(String idScope, String registrationId, String authorization,
                                  String bodyRegistrationId, JsonNode payload) {
    }

    /** {@code PUT {idScope}/registrations/{id}/register} (§1.1). */
    public RegistrationOperation register(RegisterRequest request) {
        ProvisioningInstance instance = directory.byIdScope(request.idScope());
        String registrationId = request.registrationId();
        if (request.bodyRegistrationId() != null && !request.bodyRegistrationId().equalsIgnoreCase(registrationId)) {
            throw new ProvisioningException(ErrorCode.ID_MISMATCH,
                    "The registrationId in the body does not match the one in the path.");
        }
        SharedAccessSignature token = symmetricKeys.token(request.authorization(), instance.idScope(), registrationId);
        DeviceRegistrationState stored = null;
        // Registrations of one device queue here within a process; across processes the etag check decides.
        Lock lock = deviceLocks[Math.floorMod((instance.idScope() + "/" + registrationId).toLowerCase(Locale.ROOT)
                .hashCode(), deviceLocks.length)];
        lock.lock();
        try {
            stored = registerOnce(instance, registrationId, token);
        } finally {
            lock.unlock();
        }
        RegistrationOperation operation = new RegistrationOperation(operationId(stored), stored.registrationId(),
                stored.status(), stored, clock.instant().plus(OPERATION_LIFETIME), null);
        if (operation.status() == RegistrationStatus.ASSIGNING) {
            removeExpiredOperationsNowAndThen();
            return operations.create(instance.idScope(), operation);
        }
        // Allocation finished within the call: the answer carries the outcome, so nothing is stored for a poll;
        // a device that polls anyway is answered from its registration state (see operation()).
        return operation;
    }

    private DeviceRegistrationState registerOnce(ProvisioningInstance instance, String registrationId,
                                                 SharedAccessSignature token) {
        DeviceRegistrationState stored = null;
        for (int attempt = 1; stored == null; attempt++) {
            Optional<DeviceRegistrationState> previous = states.find(instance.idScope(), registrationId);
            DeviceCredentialMatch match = symmetricKeys.match(instance.idScope(), registrationId, token, previous);
            DeviceRegistrationState next = decide(instance, registrationId, match, previous.orElse(null));
            try {
                stored = save(instance.idScope(), next, previous.orElse(null));
            } catch (RecordAlreadyExistsException | EtagMismatchException | RecordNotFoundException e) {
                // Another registration of this device wrote first: decide again from what it stored.
                if (attempt == ATTEMPTS) {
                    throw new ProvisioningException(ErrorCode.THROTTLED,
                            "Too many simultaneous registrations of this device; retry.");
                }
            }
        }
        return stored;
    }

    /** {@code GET {idScope}/registrations/{id}/operations/{operationId}} (§1.1): same authentication as register. */
    public RegistrationOperation operation(String idScope, String registrationId, String operationId,
                                           String authorization) {
        ProvisioningInstance instance = directory.byIdScope(idScope);
        authenticate(instance, registrationId, authorization);
        return operations.find(instance.idScope(), operationId)
                .or(() -> completedOperation(instance.idScope(), registrationId, operationId))
                .filter(op -> op.registrationId().equalsIgnoreCase(registrationId))
                .orElseThrow(() -> new ProvisioningException(ErrorCode.OPERATION_NOT_FOUND,
                        "No operation of this device has this id."));
    }

    /** An operation that completed within its register call names the registration state it produced. */
    private Optional<RegistrationOperation> completedOperation(String idScope, String registrationId, String operationId) {
        return states.find(idScope, registrationId)
                .filter(state -> state.etag() != null && operationId.endsWith("." + state.etag()))
                .map(state -> new RegistrationOperation(operationId, state.registrationId(), state.status(), state,
                        null, null));
    }

    /** {@code POST {idScope}/registrations/{id}} (§1.1): the device's latest registration. */
    public DeviceRegistrationState registrationStatus(String idScope, String registrationId, String authorization) {
        ProvisioningInstance instance = directory.byIdScope(idScope);
        authenticate(instance, registrationId, authorization);
        return states.find(instance.idScope(), registrationId)
                .orElseThrow(() -> new ProvisioningException(ErrorCode.REGISTRATION_NOT_FOUND,
                        "This device has not registered."));
    }

    private void authenticate(ProvisioningInstance instance, String registrationId, String authorization) {
        SharedAccessSignature token = symmetricKeys.token(authorization, instance.idScope(), registrationId);
        symmetricKeys.match(instance.idScope(), registrationId, token, states.find(instance.idScope(), registrationId));
    }

    private DeviceRegistrationState decide(ProvisioningInstance instance, String registrationId,
                                           DeviceCredentialMatch match, DeviceRegistrationState previous) {
        EnrollmentSettings settings = match.settings();
        String deviceId = match.deviceId(registrationId);
        if (!settings.enabled()) {
            return state(registrationId, previous == null ? null : previous.deviceId(),
                    previous == null ? null : previous.assignedHub(), RegistrationStatus.DISABLED, null, null,
                    "The enrollment of this device is disabled.", match);
        }
        LinkedHub hub = keptHub(instance, settings, previous);
        if (hub == null) {
            AllocationResult result = allocation.allocate(instance, settings, registrationId);
            if (result instanceof AllocationResult.Failed failed) {
                return state(registrationId, deviceId, null, RegistrationStatus.FAILED, null,
                        failed.errorCode().code(), failed.message(), match);
            }
            hub = ((AllocationResult.Assigned) result).hub();
        }
        try {
            createIdentity(hub, deviceId, match, settings, previous == null);
        } catch (ProvisioningException e) {
            throw e;
        } catch (RuntimeException e) {
            return state(registrationId, deviceId, null, RegistrationStatus.FAILED, null,
                    ErrorCode.HUB_UNAUTHORIZED.code(), "The identity could not be created in the IoT hub.", match);
        }
        return state(registrationId, deviceId, hub.hostName(), RegistrationStatus.ASSIGNED, "initialAssignment",
                null, null, match);
    }

    /** With {@code updateHubAssignment=false} a device stays on its current hub while that hub is linked (§6.4). */
    private static LinkedHub keptHub(ProvisioningInstance instance, EnrollmentSettings settings,
                                     DeviceRegistrationState previous) {
        if (previous == null || previous.status() != RegistrationStatus.ASSIGNED || previous.assignedHub() == null
                || settings.reprovisionPolicy().updateHubAssignment()) {
            return null;
        }
        return instance.linkedHub(previous.assignedHub()).orElse(null);
    }

    /**
     * The identity gets the device's SAS keys and edge capability. An initial assignment (no registration
     * state yet, or one deleted: §6.4) applies the enrollment's initial twin; a returning device's twin is
     * left as the hub has it.
     */
    private void createIdentity(LinkedHub hub, String deviceId, DeviceCredentialMatch match, EnrollmentSettings settings,
                                boolean initialAssignment) {
        Optional<HubDevice> existing = initialAssignment ? Optional.empty() : hubs.find(hub, deviceId);
        JsonNode twin = settings.initialTwin();
        JsonNode tags = existing.map(HubDevice::tags).orElse(twin == null ? null : twin.get("tags"));
        JsonNode desired = existing.map(HubDevice::desiredProperties)
                .orElse(twin == null ? null : twin.path("properties").get("desired"));
        HubDevice.Authentication authentication = HubDevice.Authentication.sas(match.primaryKey(), match.secondaryKey());
        boolean unchanged = existing.isPresent() && existing.get().authentication().equals(authentication)
                && existing.get().iotEdge() == settings.iotEdge() && existing.get().enabled();
        if (!unchanged) {
            // A returning device whose identity is already right costs the hub no write.
            hubs.createOrUpdate(hub, new HubDevice(hub.hostName(), deviceId, authentication, settings.iotEdge(), true,
                    tags, desired, null));
        }
    }

    private DeviceRegistrationState state(String registrationId, String deviceId, String hub, RegistrationStatus status,
                                          String substatus, Integer errorCode, String errorMessage,
                                          DeviceCredentialMatch match) {
        return new DeviceRegistrationState(registrationId, deviceId, hub, status, substatus, errorCode, errorMessage,
                null, match.enrollmentGroupId(), "symmetricKey", null);
    }

    private DeviceRegistrationState save(String idScope, DeviceRegistrationState next, DeviceRegistrationState previous) {
        Instant now = clock.instant();
        if (previous == null) {
            return states.create(idScope, next.withVersion(RecordVersion.createdAt(now)));
        }
        return states.replace(idScope, next.withVersion(RecordVersion.updatedAt(previous.version(), now)),
                previous.etag());
    }

    /**
     * Opaque, URL- and topic-safe ({@code [A-Za-z0-9.-]}), shaped like DPS's (§1.5); it ends with the etag of
     * the registration state the operation produced, which is how a poll finds it.
     */
    private static String operationId(DeviceRegistrationState state) {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return "4." + HexFormat.of().formatHex(bytes) + "." + (state.etag() != null ? state.etag() : UUID.randomUUID());
    }

    private void removeExpiredOperationsNowAndThen() {
        long now = clock.millis();
        long due = nextExpiryCleanup.get();
        if (now >= due && nextExpiryCleanup.compareAndSet(due, now + Duration.ofMinutes(1).toMillis())) {
            operations.deleteExpired(clock.instant());
        }
    }
}
