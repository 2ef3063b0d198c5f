package dev.opendps.service.registration;

import static dev.opendps.service.registration.PreviousRegistration.initialHub;
import static dev.opendps.service.registration.PreviousRegistration.keptHub;
import static dev.opendps.service.registration.PreviousRegistration.wasAssigned;

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
import dev.opendps.domain.ReprovisionPolicy;
import dev.opendps.domain.allocation.AllocationResult;
import dev.opendps.domain.allocation.DeviceRuntimeContext;
import dev.opendps.domain.allocation.DeviceRuntimeContext.PresentedAttestation;
import dev.opendps.domain.allocation.HubAllocation;
import dev.opendps.domain.allocation.RegisteringDevice;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.EnrollmentStore;
import dev.opendps.domain.port.EtagMismatchException;
import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.HubRegistryException;
import dev.opendps.domain.port.StoreUnavailableException;
import dev.opendps.domain.port.RecordAlreadyExistsException;
import dev.opendps.domain.port.RecordNotFoundException;
import dev.opendps.domain.port.RegistrationOperationStore;
import dev.opendps.domain.port.RegistrationStateStore;
import dev.opendps.domain.port.TpmChallengeStore;
import dev.opendps.domain.port.CaCertificateStore;
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
 * Device registration (dps-protocol.md §1, §2, §6, §7): attest the device, find its enrollment, pick a
 * hub, create or update its identity there, and record the outcome as its registration state and as an
 * operation the device may poll. Allocation completes within the call, so the register answer already
 * carries the final state.
 */
public final class DeviceRegistrationService {
    /** Attempts when a concurrent registration of the same device changes its state under us. */
    private static final int ATTEMPTS = 4;
    private static final Duration OPERATION_LIFETIME = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Registration substatus values (§1.5, §6.4). */
    private static final String INITIAL_ASSIGNMENT = PreviousRegistration.INITIAL_ASSIGNMENT;
    private static final String DATA_MIGRATED = "deviceDataMigrated";
    private static final String DATA_RESET = "deviceDataReset";
    private static final String BACK_TO_INITIAL_ASSIGNMENT = "reprovisionedToInitialAssignment";
    /** The error message of a registration through a disabled enrollment (§6.2). */
    static final String DISABLED_MESSAGE = "The enrollment of this device is disabled.";

    private final InstanceDirectory directory;
    private final RegistrationStateStore states;
    private final RegistrationOperationStore operations;
    private final HubRegistry hubs;
    private final HubAllocation allocation;
    private final DeviceTokens tokens;
    private final SymmetricKeyAttestationCheck symmetricKeys;
    private final TpmAttestationCheck tpm;
    private final X509AttestationCheck x509;
    private final Clock clock;
    private final AtomicLong nextExpiryCleanup = new AtomicLong();
    private final Lock[] deviceLocks = new Lock[256];

    public DeviceRegistrationService(InstanceDirectory directory, EnrollmentStore enrollments,
                                     EnrollmentGroupStore groups, RegistrationStateStore states,
                                     RegistrationOperationStore operations, TpmChallengeStore tpmChallenges,
                                     CaCertificateStore caCertificates, HubRegistry hubs,
                                     HubAllocation allocation, Clock clock, Duration allowedSkew,
                                     Duration maxTokenLifetime) {
        this.directory = directory;
        this.states = states;
        this.operations = operations;
        this.hubs = hubs;
        this.allocation = allocation;
        this.tokens = new DeviceTokens(clock, allowedSkew, maxTokenLifetime);
        this.symmetricKeys = new SymmetricKeyAttestationCheck(enrollments, groups, clock);
        this.tpm = new TpmAttestationCheck(enrollments, tpmChallenges, clock);
        this.x509 = new X509AttestationCheck(enrollments, groups, caCertificates, states, clock);
        this.clock = clock;
        for (int i = 0; i < deviceLocks.length; i++) {
            deviceLocks[i] = new ReentrantLock();
        }
    }

    /** What a device sent to register: path values, its credentials and its body's fields. */
    public record RegisterRequest(String idScope, String registrationId, DeviceCredentials credentials,
                                  String bodyRegistrationId, JsonNode payload) {
    }

    /** The check of one request's credentials, given the device's last registration state. */
    @FunctionalInterface
    private interface Attestation {
        DeviceCredentialMatch match(Optional<DeviceRegistrationState> previous);
    }

    /** {@code PUT {idScope}/registrations/{id}/register} (§1.1). */
    public RegistrationOperation register(RegisterRequest request) {
        ProvisioningInstance instance = directory.byIdScope(request.idScope());
        String registrationId = request.registrationId();
        if (request.bodyRegistrationId() != null && !request.bodyRegistrationId().equalsIgnoreCase(registrationId)) {
            throw new ProvisioningException(ErrorCode.ID_MISMATCH,
                    "The registrationId in the body does not match the one in the path.");
        }
        Attestation attestation = attestation(instance, registrationId, request.credentials());
        DeviceRegistrationState stored = null;
        // Registrations of one device queue here within a process; across processes the etag check decides.
        Lock lock = deviceLocks[Math.floorMod((instance.idScope() + "/" + registrationId).toLowerCase(Locale.ROOT)
                .hashCode(), deviceLocks.length)];
        lock.lock();
        try {
            stored = registerOnce(instance, request, attestation);
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

    /**
     * Which attestation a register uses (§2): TPM keys in the body; else a token (symmetric key); else the
     * TLS client certificate. Cheap checks (token resource and lifetime, certificate CN) happen here, once.
     */
    private Attestation attestation(ProvisioningInstance instance, String registrationId, DeviceCredentials credentials) {
        if (credentials.endorsementKey() != null) {
            SharedAccessSignature token = credentials.authorization() == null ? null
                    : tokens.token(credentials.authorization(), instance.idScope(), registrationId);
            // Without a token this throws the challenge; with one the match is complete (individual only, §6.2).
            DeviceCredentialMatch match = tpm.register(instance.idScope(), registrationId,
                    credentials, token);
            return previous -> match;
        }
        if (credentials.authorization() != null) {
            SharedAccessSignature token = tokens.token(credentials.authorization(), instance.idScope(), registrationId);
            return previous -> symmetricKeys.match(instance.idScope(), registrationId, token, previous);
        }
        if (credentials.clientCertificate() != null) {
            X509AttestationCheck.Presented presented = x509.presented(registrationId, credentials);
            return previous -> x509.match(instance.idScope(), presented);
        }
        throw DeviceTokens.unauthorized(
                "The request carries no credentials: a SAS token, a TLS client certificate or TPM keys.");
    }

    private DeviceRegistrationState registerOnce(ProvisioningInstance instance, RegisterRequest request,
                                                 Attestation attestation) {
        String registrationId = request.registrationId();
        DeviceRegistrationState stored = null;
        for (int attempt = 1; stored == null; attempt++) {
            Optional<DeviceRegistrationState> previous = states.find(instance.idScope(), registrationId);
            DeviceCredentialMatch match = attestation.match(previous);
            // A retry decides again, so a custom allocation webhook may be called once more (rare: another
            // process registered the same device meanwhile).
            DeviceRegistrationState next = decide(instance, request, match, previous.orElse(null));
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
                                           DeviceCredentials credentials) {
        ProvisioningInstance instance = directory.byIdScope(idScope);
        authenticate(instance, registrationId, credentials);
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

    /**
     * What a connection-oriented transport checks when a device connects (dps-protocol.md §3: MQTT CONNECT, AMQP
     * SASL), before any request: a token names this device and is within its lifetime, or the TLS client
     * certificate's CN is the registration id. No store is read and no key tried: which enrollment admits the
     * device is decided when it registers, and a failure there is answered as the answer to that request, as DPS
     * does.
     */
    public void checkConnection(String idScope, String registrationId, DeviceCredentials credentials) {
        if (credentials.authorization() != null) {
            tokens.token(credentials.authorization(), idScope, registrationId);
        } else if (credentials.clientCertificate() != null) {
            x509.presented(registrationId, credentials);
        } else {
            throw DeviceTokens.unauthorized("The connection carries no credentials: a SAS token or a TLS client certificate.");
        }
    }

    /** {@code POST {idScope}/registrations/{id}} (§1.1): the device's latest registration. */
    public DeviceRegistrationState registrationStatus(String idScope, String registrationId,
                                                      DeviceCredentials credentials) {
        ProvisioningInstance instance = directory.byIdScope(idScope);
        authenticate(instance, registrationId, credentials);
        return states.find(instance.idScope(), registrationId)
                .orElseThrow(() -> new ProvisioningException(ErrorCode.REGISTRATION_NOT_FOUND,
                        "This device has not registered."));
    }

    /**
     * Checks a device's token for its registration id without registering: what the front door decides when a
     * device opens a connection that carries its token (AMQP SASL, dps-protocol.md §3.2), before any request.
     * The same check as a poll's: a symmetric key of its enrollment, or the key its TPM was challenged to import.
     */
    public void authenticateToken(String idScope, String registrationId, String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw DeviceTokens.unauthorized("The connection carries no SAS token.");
        }
        authenticate(directory.byIdScope(idScope), registrationId, DeviceCredentials.token(authorization));
    }

    /**
     * Polls and status lookups carry a token (symmetric-key and TPM devices) or the client certificate. An
     * X.509 device is bound to the leaf that registered it: a resumed TLS session presents only the leaf,
     * so its chain is not walked again.
     */
    private void authenticate(ProvisioningInstance instance, String registrationId, DeviceCredentials credentials) {
        String idScope = instance.idScope();
        if (credentials.authorization() != null) {
            SharedAccessSignature token = tokens.token(credentials.authorization(), idScope, registrationId);
            if (tpm.isTpmDevice(idScope, registrationId)) {
                tpm.authenticate(idScope, registrationId, token);
            } else {
                symmetricKeys.match(idScope, registrationId, token, states.find(idScope, registrationId));
            }
        } else if (credentials.clientCertificate() != null) {
            x509.authenticateRegistered(idScope, x509.presented(registrationId, credentials));
        } else {
            throw DeviceTokens.unauthorized("The request carries no credentials: a SAS token or a TLS client certificate.");
        }
    }

    private DeviceRegistrationState decide(ProvisioningInstance instance, RegisterRequest request,
                                           DeviceCredentialMatch match, DeviceRegistrationState previous) {
        String registrationId = request.registrationId();
        EnrollmentSettings settings = match.settings();
        String deviceId = match.deviceId(registrationId);
        String initialHub = initialHub(previous);
        if (!settings.enabled()) {
            return state(registrationId, previous == null ? null : previous.deviceId(),
                    previous == null ? null : previous.assignedHub(), RegistrationStatus.DISABLED, null, null,
                    DISABLED_MESSAGE, null, match, initialHub);
        }
        // A custom allocation calls its webhook here, while this device's lock is held: other registrations of
        // the same device (and of the few sharing its lock stripe) wait, at most for the webhook timeout.
        AllocationResult result = allocation.allocate(instance,
                registeringDevice(request, match, previous), keptHub(instance, settings, previous));
        if (result instanceof AllocationResult.Failed failed) {
            return state(registrationId, deviceId, null, RegistrationStatus.FAILED, null,
                    failed.errorCode().code(), failed.message(), null, match, initialHub);
        }
        AllocationResult.Assigned assigned = (AllocationResult.Assigned) result;
        LinkedHub hub = assigned.hub();
        JsonNode initialTwin = assigned.initialTwin() != null ? assigned.initialTwin() : settings.initialTwin();
        String substatus;
        try {
            substatus = provision(instance, hub, deviceId, match, settings, initialTwin, previous, initialHub);
        } catch (ProvisioningException | StoreUnavailableException e) {
            // A throttled or unavailable embedded hub registry is this service's store failing, not the hub refusing
            // the device: the call answers 429/503 and stores no failed registration.
            throw e;
        } catch (RuntimeException e) {
            // A hub's refusal says what the hub answered (HubRegistryException messages hold no secrets).
            String message = e instanceof HubRegistryException hubFailure
                    ? "The identity could not be created in the IoT hub: " + hubFailure.getMessage()
                    : "The identity could not be created in the IoT hub.";
            if (wasAssigned(previous)) {
                // Keep the state that names the device's current hub: registering again retries the move or
                // update (each step is idempotent) instead of forgetting where the device's identity is.
                throw new ProvisioningException(ErrorCode.HUB_UNAUTHORIZED,
                        message + " The device's registration is unchanged.");
            }
            return state(registrationId, deviceId, null, RegistrationStatus.FAILED, null,
                    ErrorCode.HUB_UNAUTHORIZED.code(), message, null, match, initialHub);
        }
        return state(registrationId, deviceId, hub.hostName(), RegistrationStatus.ASSIGNED, substatus,
                null, null, assigned.payload(), match,
                initialHub == null && INITIAL_ASSIGNMENT.equals(substatus) ? hub.hostName() : initialHub);
    }

    /** The device as allocation sees it (§5 {@code deviceRuntimeContext}). */
    private static RegisteringDevice registeringDevice(RegisterRequest request, DeviceCredentialMatch match,
                                                       DeviceRegistrationState previous) {
        DeviceRuntimeContext context = PreviousRegistration.runtimeContext(request.registrationId(), previous,
                presentedAttestation(request.credentials(), match), request.payload());
        return new RegisteringDevice(match.individual(), match.group(), context);
    }

    private static PresentedAttestation presentedAttestation(DeviceCredentials credentials, DeviceCredentialMatch match) {
        if (match.x509() != null && match.x509().certificateInfo() != null) {
            return new PresentedAttestation.X509(match.x509().certificateInfo());
        }
        if (credentials.endorsementKey() != null) {
            return new PresentedAttestation.Tpm(credentials.endorsementKey(), credentials.storageRootKey());
        }
        return new PresentedAttestation.SymmetricKey();
    }

    /**
     * Creates or updates the device's identity in {@code hub} as its reprovision policy says (§6.4, §7) and
     * returns the registration's substatus. {@code initialTwin} is the enrollment's, or the one a custom
     * allocation webhook answered (§5).
     *
     * <ul>
     *   <li>First registration (or one after the state was deleted): the identity gets the initial twin;
     *       {@code initialAssignment}. After a failed or disabled registration an identity already in the
     *       hub keeps its twin.</li>
     *   <li>Same hub as before: "migrate" and "never" keep the identity and its twin, updating keys or
     *       thumbprints and capabilities if they changed; nothing happened to the data, so the substatus stays
     *       what it was (how the data got there, {@code initialAssignment} for a device that never moved).
     *       "Reset" applies the initial twin again ("a factory reset without changing hubs"):
     *       {@code deviceDataReset}.</li>
     *   <li>Another hub: the identity is created there, with the twin (tags and desired properties) of the
     *       old identity for "migrate" ({@code deviceDataMigrated}) or the initial twin for "reset"
     *       ({@code deviceDataReset}), then deleted from the old hub. "Migrate" with nothing to copy (the old hub
     *       was unlinked, or holds no identity) can only reset: {@code deviceDataReset}. Returning to the hub of
     *       the initial assignment is {@code reprovisionedToInitialAssignment} instead, with either policy's
     *       data. "Never" moves a device only when its hub was unlinked: assigned anew, as on a first
     *       registration ({@code initialAssignment}, initial twin).</li>
     * </ul>
     * Capabilities and authentication always come from the enrollment and the current attestation, as for a
     * device that stays. The new identity is written before the old one is deleted, so a failure in between
     * leaves the device reachable; its state then still names the old hub, and registering again finishes the
     * move.
     */
    private String provision(ProvisioningInstance instance, LinkedHub hub, String deviceId,
                             DeviceCredentialMatch match, EnrollmentSettings settings, JsonNode initialTwin,
                             DeviceRegistrationState previous, String initialHub) {
        if (!wasAssigned(previous)) {
            if (previous == null) {
                writeIdentity(hub, deviceId, match, settings, Twin.of(initialTwin));
            } else {
                keepIdentity(hub, deviceId, match, settings, initialTwin);
            }
            return INITIAL_ASSIGNMENT;
        }
        ReprovisionPolicy policy = settings.reprovisionPolicy();
        boolean reset = policy.updateHubAssignment() && !policy.migrateDeviceData();
        if (previous.assignedHub().equalsIgnoreCase(hub.hostName())) {
            if (reset) {
                writeIdentity(hub, deviceId, match, settings, Twin.of(initialTwin));
                return DATA_RESET;
            }
            keepIdentity(hub, deviceId, match, settings, initialTwin);
            return previous.substatus() != null ? previous.substatus() : INITIAL_ASSIGNMENT;
        }
        if (!policy.updateHubAssignment()) {
            writeIdentity(hub, deviceId, match, settings, Twin.of(initialTwin));
            return INITIAL_ASSIGNMENT;
        }
        // A hub that is no longer linked cannot be reached (no connection string): its identity stays there.
        Optional<LinkedHub> oldHub = instance.linkedHub(previous.assignedHub());
        Optional<HubDevice> old = policy.migrateDeviceData() && oldHub.isPresent()
                ? hubs.find(oldHub.get(), previous.deviceId()) : Optional.empty();
        writeIdentity(hub, deviceId, match, settings,
                old.map(device -> new Twin(device.tags(), device.desiredProperties())).orElse(Twin.of(initialTwin)));
        oldHub.ifPresent(h -> hubs.delete(h, previous.deviceId()));
        if (hub.hostName().equalsIgnoreCase(initialHub)) {
            return BACK_TO_INITIAL_ASSIGNMENT;
        }
        return old.isPresent() ? DATA_MIGRATED : DATA_RESET;
    }

    /**
     * Keeps a returning device's identity and its twin (creating it with {@code initialTwin} if the hub has
     * none), updating what comes from the enrollment and attestation: keys or thumbprint (rolled keys, a
     * renewed certificate) and capabilities. An identity that is already right costs the hub no write.
     */
    private void keepIdentity(LinkedHub hub, String deviceId, DeviceCredentialMatch match, EnrollmentSettings settings,
                              JsonNode initialTwin) {
        Optional<HubDevice> existing = hubs.find(hub, deviceId);
        if (existing.isEmpty()) {
            writeIdentity(hub, deviceId, match, settings, Twin.of(initialTwin));
            return;
        }
        HubDevice device = existing.get();
        boolean unchanged = device.authentication().equals(match.hubAuthentication())
                && device.iotEdge() == settings.iotEdge() && device.enabled();
        if (!unchanged) {
            writeIdentity(hub, deviceId, match, settings, new Twin(device.tags(), device.desiredProperties()));
        }
    }

    /** Creates or replaces the identity: the attestation's authentication, the edge capability, enabled, {@code twin}. */
    private void writeIdentity(LinkedHub hub, String deviceId, DeviceCredentialMatch match, EnrollmentSettings settings,
                               Twin twin) {
        hubs.createOrUpdate(hub, new HubDevice(hub.hostName(), deviceId, match.hubAuthentication(), settings.iotEdge(),
                true, twin.tags(), twin.desired(), null));
    }

    /** The part of a twin DPS writes: tags and desired properties (§7), either may be null. */
    private record Twin(JsonNode tags, JsonNode desired) {
        /** From an initial twin ({@code {tags, properties: {desired}}}); null gives an empty twin. */
        static Twin of(JsonNode initialTwin) {
            return initialTwin == null ? new Twin(null, null)
                    : new Twin(initialTwin.get("tags"), initialTwin.path("properties").get("desired"));
        }
    }

    private DeviceRegistrationState state(String registrationId, String deviceId, String hub, RegistrationStatus status,
                                          String substatus, Integer errorCode, String errorMessage, JsonNode payload,
                                          DeviceCredentialMatch match, String initialHub) {
        // The TPM's second activation blob only goes to a device that was assigned (§2.4 step 6).
        return new DeviceRegistrationState(registrationId, deviceId, hub, status, substatus, errorCode, errorMessage,
                payload, match.enrollmentGroupId(), match.attestationType(), match.x509(),
                status == RegistrationStatus.ASSIGNED ? match.tpmAuthenticationKey() : null, initialHub, null);
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
