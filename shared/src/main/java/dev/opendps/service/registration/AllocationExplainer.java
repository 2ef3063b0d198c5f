package dev.opendps.service.registration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.Attestation;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.EnrollmentSettings;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.ReprovisionPolicy;
import dev.opendps.domain.TpmAttestation;
import dev.opendps.domain.X509Attestation;
import dev.opendps.domain.allocation.AllocationRequest;
import dev.opendps.domain.allocation.AllocationResult;
import dev.opendps.domain.allocation.DeviceRuntimeContext.PresentedAttestation;
import dev.opendps.domain.allocation.GeoLatencyAllocation;
import dev.opendps.domain.allocation.GeoLocation;
import dev.opendps.domain.allocation.HubAllocation;
import dev.opendps.domain.allocation.HubLocations;
import dev.opendps.domain.allocation.RegisteringDevice;
import dev.opendps.domain.allocation.WeightedHashAllocation;
import dev.opendps.domain.port.AllocationWebhook;
import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.EnrollmentStore;
import dev.opendps.domain.port.RegistrationStateStore;
import dev.opendps.service.registration.AllocationExplanation.Allocation;
import dev.opendps.service.registration.AllocationExplanation.Candidate;
import dev.opendps.service.registration.AllocationExplanation.HubChoice;
import dev.opendps.service.registration.AllocationExplanation.MatchedBy;
import dev.opendps.service.registration.AllocationExplanation.MatchedEnrollment;
import dev.opendps.service.registration.AllocationExplanation.Outcome;
import dev.opendps.service.registration.AllocationExplanation.Reprovisioning;
import dev.opendps.service.registration.AllocationExplanation.Status;
import dev.opendps.service.registration.AllocationExplanation.Webhook;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Explains how a registration of one device would be decided now (an admin aid, no DPS counterpart): which
 * enrollment matches, what the device's current registration and reprovision policy imply, how the allocation
 * policy ranks the candidate hubs, and the outcome. It only reads: no registration state is written, no hub
 * identity is created or changed, no TPM challenge is issued; a custom allocation webhook is called only when the
 * caller asks, since the call may have effects on the webhook's side.
 *
 * <p>The decision is the one registration makes ({@link DeviceRegistrationService}): the same
 * {@link HubAllocation} and {@link PreviousRegistration} rules, so the two cannot drift apart; this class only
 * adds the figures behind it (scores, distances) and sentences. What it cannot foresee: which credentials the
 * device presents (a group is named by the caller, an X.509 group device is described by the leaf it last
 * registered with), and whether the hub accepts the identity (400209).
 */
public final class AllocationExplainer {
    private final EnrollmentStore enrollments;
    private final EnrollmentGroupStore groups;
    private final RegistrationStateStore states;
    private final AllocationWebhook webhook;
    private final HubLocations hubLocations;

    /** {@code webhook} and {@code hubLocations} must be those registration's {@link HubAllocation} uses. */
    public AllocationExplainer(EnrollmentStore enrollments, EnrollmentGroupStore groups, RegistrationStateStore states,
                               AllocationWebhook webhook, HubLocations hubLocations) {
        this.enrollments = Objects.requireNonNull(enrollments, "enrollments");
        this.groups = Objects.requireNonNull(groups, "groups");
        this.states = Objects.requireNonNull(states, "states");
        this.webhook = Objects.requireNonNull(webhook, "webhook");
        this.hubLocations = Objects.requireNonNull(hubLocations, "hubLocations");
    }

    /**
     * What to explain: the device, the group it would register through when it has no individual enrollment
     * (null: the group its registration state records, if any), the payload it would send (null for none), and
     * whether a custom allocation webhook may be called.
     */
    public record ExplainRequest(String registrationId, String enrollmentGroupId, JsonNode payload,
                                 boolean callWebhook) {
        public ExplainRequest {
            Objects.requireNonNull(registrationId, "registrationId");
            payload = payload == null || payload.isNull() ? null : payload.deepCopy();
        }
    }

    public AllocationExplanation explain(ProvisioningInstance instance, ExplainRequest request) {
        String registrationId = request.registrationId();
        List<String> steps = new ArrayList<>();
        DeviceRegistrationState previous = states.find(instance.idScope(), registrationId).orElse(null);
        MatchedEnrollment enrollment = match(instance.idScope(), request, previous, steps);
        EnrollmentSettings settings = enrollment.settings();
        describePrevious(previous, steps);
        Reprovisioning reprovisioning = reprovisioning(instance, settings, previous, steps);
        AllocationPolicy policy = HubAllocation.policy(instance, settings);
        boolean instanceDefault = settings.allocationPolicy() == null;
        steps.add("Allocation policy " + policy.wireName() + (instanceDefault ? " (the instance default)."
                : " (the enrollment's)."));
        int candidateSteps = steps.size();
        GeoLocation deviceLocation = policy == AllocationPolicy.GEO_LATENCY
                ? GeoLatencyAllocation.deviceLocation(request.payload()).orElse(null) : null;

        if (!settings.enabled()) {
            steps.add("The enrollment is disabled: a registration ends 'disabled' without running allocation.");
            Outcome outcome = new Outcome(Status.DISABLED, previous == null ? null : previous.assignedHub(),
                    previous == null ? null : previous.deviceId(), null, DeviceRegistrationService.DISABLED_MESSAGE,
                    null);
            return new AllocationExplanation(registrationId, enrollment, previous, reprovisioning,
                    new Allocation(policy, instanceDefault, candidates(instance, settings, policy, deviceLocation,
                            registrationId, null, new ArrayList<>()), deviceLocation, null, false),
                    outcome, steps);
        }

        PresentedAttestation presented = presentedAttestation(enrollment, previous, policy, steps);
        Webhook webhookTrace = null;
        Outcome outcome;
        AllocationResult result;
        if (policy == AllocationPolicy.CUSTOM && presented == null) {
            result = null;
            outcome = new Outcome(Status.UNDECIDED, null, enrollment.deviceId(), null, "The webhook request describes"
                    + " the device's leaf certificate, which is known only once the device has registered.", null);
            webhookTrace = new Webhook(webhookUrl(settings), null, null, null);
        } else {
            // The built-in policies read only the enrollment, the registration id and the payload.
            PresentedAttestation context = presented != null ? presented : new PresentedAttestation.SymmetricKey();
            RegisteringDevice device = new RegisteringDevice(enrollment.individual(), enrollment.group(),
                    PreviousRegistration.runtimeContext(registrationId, previous, context, request.payload()));
            RecordingWebhook recorder = new RecordingWebhook(request.callWebhook() ? webhook : null);
            result = new HubAllocation(recorder).withHubLocations(hubLocations)
                    .allocate(instance, device, reprovisioning.keptHub());
            if (policy == AllocationPolicy.CUSTOM) {
                webhookTrace = new Webhook(webhookUrl(settings), recorder.request, recorder.outcome,
                        recorder.outcome == null ? null : result instanceof AllocationResult.Assigned);
                describeWebhook(webhookTrace, steps);
            }
            if (policy == AllocationPolicy.CUSTOM && recorder.request != null && !request.callWebhook()) {
                outcome = new Outcome(Status.UNDECIDED, null, enrollment.deviceId(), null, "The webhook chooses among "
                        + recorder.request.linkedHubs() + "; explain with \"callWebhook\": true to ask it.", null);
            } else {
                outcome = outcome(result, enrollment.deviceId());
            }
        }
        List<String> candidateLines = new ArrayList<>();
        List<Candidate> candidates = candidates(instance, settings, policy, deviceLocation, registrationId,
                outcome.assignedHub(), candidateLines);
        steps.addAll(candidateSteps, candidateLines);
        describeOutcome(outcome, reprovisioning, previous, steps);
        return new AllocationExplanation(registrationId, enrollment, previous, reprovisioning,
                new Allocation(policy, instanceDefault, candidates, deviceLocation, webhookTrace, true), outcome, steps);
    }

    /**
     * The individual enrollment wins over any group (§6.2); else the group the caller names, else the group the
     * device's registration records. A group device is otherwise recognised only by its credentials.
     */
    private MatchedEnrollment match(String idScope, ExplainRequest request, DeviceRegistrationState previous,
                                    List<String> steps) {
        String registrationId = request.registrationId();
        Optional<IndividualEnrollment> individual = enrollments.find(idScope, registrationId);
        if (individual.isPresent()) {
            IndividualEnrollment found = individual.get();
            steps.add("The individual enrollment '" + found.registrationId() + "' matches the registration id"
                    + (request.enrollmentGroupId() != null ? "; it wins over the enrollment group '"
                    + request.enrollmentGroupId() + "' given, as an individual enrollment wins over any group." : "."));
            String deviceId = found.deviceId() != null ? found.deviceId() : registrationId;
            return new MatchedEnrollment(found, null, MatchedBy.REGISTRATION_ID, deviceId);
        }
        String recordedGroup = previous == null ? null : previous.enrollmentGroupId();
        if (request.enrollmentGroupId() != null) {
            EnrollmentGroup group = groups.find(idScope, request.enrollmentGroupId()).orElseThrow(() ->
                    new ProvisioningException(ErrorCode.ENROLLMENT_GROUP_NOT_FOUND, "No individual enrollment has the"
                            + " registration id '" + registrationId + "', and no enrollment group has the id '"
                            + request.enrollmentGroupId() + "'."));
            steps.add("No individual enrollment has the registration id '" + registrationId + "'; the enrollment group '"
                    + group.enrollmentGroupId() + "' given is used.");
            if (recordedGroup != null && !recordedGroup.equalsIgnoreCase(group.enrollmentGroupId())) {
                steps.add("Note: the device last registered through the group '" + recordedGroup
                        + "'; a returning symmetric-key device is checked against that group only.");
            }
            return new MatchedEnrollment(null, group, MatchedBy.REQUESTED_GROUP, registrationId);
        }
        if (recordedGroup != null) {
            EnrollmentGroup group = groups.find(idScope, recordedGroup).orElseThrow(() ->
                    new ProvisioningException(ErrorCode.ENROLLMENT_NOT_FOUND, "No individual enrollment has the"
                            + " registration id '" + registrationId + "', and the group '" + recordedGroup
                            + "' the device last registered through no longer exists."));
            steps.add("No individual enrollment has the registration id '" + registrationId + "'; the device last"
                    + " registered through the enrollment group '" + group.enrollmentGroupId() + "', which is used.");
            return new MatchedEnrollment(null, group, MatchedBy.RECORDED_GROUP, registrationId);
        }
        throw new ProvisioningException(ErrorCode.ENROLLMENT_NOT_FOUND, "No individual enrollment has the registration"
                + " id '" + registrationId + "', and no enrollmentGroupId was given: a device of a symmetric-key or"
                + " X.509 group is recognised only by its credentials, so name its group to explain its allocation.");
    }

    private static void describePrevious(DeviceRegistrationState previous, List<String> steps) {
        if (previous == null) {
            steps.add("The device has no registration state: a registration is its initial assignment.");
        } else if (PreviousRegistration.wasAssigned(previous)) {
            steps.add("The device is assigned to " + previous.assignedHub() + " as device '" + previous.deviceId()
                    + "'" + (previous.substatus() != null ? " (" + previous.substatus() + ")" : "") + ".");
        } else {
            steps.add("The device's last registration ended '" + previous.status().wireName() + "'"
                    + (previous.errorCode() != null ? " (" + previous.errorCode() + ")" : "")
                    + ": it has no hub, so a registration assigns it as if for the first time.");
        }
    }

    private static Reprovisioning reprovisioning(ProvisioningInstance instance, EnrollmentSettings settings,
                                                 DeviceRegistrationState previous, List<String> steps) {
        ReprovisionPolicy policy = settings.reprovisionPolicy();
        LinkedHub kept = PreviousRegistration.keptHub(instance, settings, previous);
        HubChoice choice;
        if (!PreviousRegistration.wasAssigned(previous)) {
            choice = HubChoice.INITIAL_ASSIGNMENT;
        } else if (policy.updateHubAssignment()) {
            choice = HubChoice.REALLOCATED;
        } else {
            choice = kept != null ? HubChoice.KEPT : HubChoice.REALLOCATED_HUB_UNLINKED;
        }
        Reprovisioning reprovisioning = new Reprovisioning(policy, choice, kept);
        String name = "Reprovision policy " + reprovisioning.name() + " (updateHubAssignment "
                + policy.updateHubAssignment() + ", migrateDeviceData " + policy.migrateDeviceData() + "): ";
        steps.add(name + switch (choice) {
            case INITIAL_ASSIGNMENT -> "it applies from the device's next registration on; now the policy chooses"
                    + " a hub and the identity gets the initial twin.";
            case REALLOCATED -> "allocation runs again; on another hub the identity is "
                    + (policy.migrateDeviceData() ? "moved with its twin" : "created from the initial twin")
                    + " and removed from the old hub; on the same hub "
                    + (policy.migrateDeviceData() ? "it is kept" : "the initial twin is applied again") + ".";
            case KEPT -> "the device keeps " + kept.hostName() + ", its identity and twin"
                    + (HubAllocation.policy(instance, settings) == AllocationPolicy.CUSTOM
                    ? "; the webhook is still called, offered only that hub." : "; the allocation policy is not run.");
            case REALLOCATED_HUB_UNLINKED -> "the device would keep its hub, but " + previous.assignedHub()
                    + " is no longer linked, so it is assigned anew with the initial twin.";
        });
        return reprovisioning;
    }

    /**
     * The device's attestation as a custom webhook would see it: no key for a symmetric key, the enrollment's TPM
     * public keys, and for X.509 the leaf it last registered with, else an individual enrollment's primary
     * certificate; null when unknown (an X.509 group device that never registered).
     */
    private static PresentedAttestation presentedAttestation(MatchedEnrollment enrollment,
                                                             DeviceRegistrationState previous,
                                                             AllocationPolicy policy, List<String> steps) {
        Attestation attestation = enrollment.settings().attestation();
        if (attestation instanceof TpmAttestation tpm) {
            return tpm.endorsementKey() == null ? null
                    : new PresentedAttestation.Tpm(tpm.endorsementKey(), tpm.storageRootKey());
        }
        if (!(attestation instanceof X509Attestation x509)) {
            return new PresentedAttestation.SymmetricKey();
        }
        boolean custom = policy == AllocationPolicy.CUSTOM;
        if (previous != null && previous.x509() != null && previous.x509().certificateInfo() != null) {
            if (custom) {
                steps.add("The webhook request describes the device by the leaf certificate of its last registration.");
            }
            return new PresentedAttestation.X509(previous.x509().certificateInfo());
        }
        X509Attestation.X509Certificates certificates = x509.clientCertificates();
        if (certificates != null && certificates.primary() != null && certificates.primary().info() != null) {
            if (custom) {
                steps.add("The webhook request describes the device by the enrollment's primary certificate.");
            }
            return new PresentedAttestation.X509(certificates.primary().info());
        }
        if (custom) {
            steps.add("The device's leaf certificate is unknown until it registers: the webhook request cannot be"
                    + " shown.");
        }
        return null;
    }

    /** Every hub the enrollment allows (named but unlinked ones too), with the figures the policy compares. */
    private List<Candidate> candidates(ProvisioningInstance instance, EnrollmentSettings settings,
                                       AllocationPolicy policy, GeoLocation deviceLocation, String registrationId,
                                       String chosen, List<String> steps) {
        List<Candidate> result = new ArrayList<>();
        if (policy == AllocationPolicy.STATIC) {
            String name = HubAllocation.staticHubName(settings);
            if (name == null || name.isBlank()) {
                steps.add("The static policy needs the enrollment to name one hub, and it names none.");
                return result;
            }
            Optional<LinkedHub> hub = instance.linkedHub(name);
            steps.add("Static hub " + name + (hub.isPresent() ? ": linked." : ": not linked to this service."));
            result.add(new Candidate(hub.map(LinkedHub::hostName).orElse(name), hub.orElse(null), null, null, null,
                    hub.isPresent() && hub.get().hostName().equalsIgnoreCase(chosen)));
            return result;
        }
        List<LinkedHub> linked = HubAllocation.candidates(instance, settings);
        steps.add(settings.iotHubs().isEmpty()
                ? "Candidates: all " + instance.linkedHubs().size() + " linked hubs."
                : "Candidates: the enrollment's iotHubs " + settings.iotHubs() + " that are linked.");
        boolean geo = policy == AllocationPolicy.GEO_LATENCY;
        boolean hashed = geo || policy == AllocationPolicy.HASHED;
        if (geo) {
            steps.add(deviceLocation == null ? "No device location in the payload: weighted hash."
                    : String.format(Locale.ROOT, "Device location %.4f, %.4f from the payload; the nearest hub wins,"
                    + " hubs within 1 km of it are decided by weighted hash.", deviceLocation.latitude(),
                    deviceLocation.longitude()));
        }
        for (LinkedHub hub : linked) {
            Double score = hashed && hub.applyAllocationPolicy() ? WeightedHashAllocation.score(registrationId, hub)
                    : null;
            GeoLocation location = geo ? hubLocations.find(hub).orElse(null) : null;
            Double distance = location != null && deviceLocation != null ? deviceLocation.distanceKm(location) : null;
            boolean isChosen = hub.hostName().equalsIgnoreCase(chosen);
            result.add(new Candidate(hub.hostName(), hub, score, location, distance, isChosen));
            StringBuilder line = new StringBuilder(hub.hostName()).append(": weight ").append(hub.allocationWeight());
            if (!hub.applyAllocationPolicy()) {
                line.append(", applyAllocationPolicy false: never chosen by the policy");
            }
            if (score != null) {
                line.append(String.format(Locale.ROOT, ", score %.6f", score));
            }
            if (geo) {
                line.append(location == null ? ", no location configured"
                        : distance == null ? ", located" : String.format(Locale.ROOT, ", %.1f km away", distance));
            }
            steps.add(line.append(isChosen ? " (chosen)." : ".").toString());
        }
        if (geo && deviceLocation != null && linked.stream().noneMatch(h -> hubLocations.find(h).isPresent())) {
            steps.add("No candidate has a configured location: weighted hash.");
        }
        for (String name : settings.iotHubs()) {
            if (instance.linkedHub(name).isEmpty()) {
                result.add(new Candidate(name, null, null, null, null, false));
                steps.add(name + ": named by the enrollment but not linked to this service, so never chosen.");
            }
        }
        return result;
    }

    private static String webhookUrl(EnrollmentSettings settings) {
        return settings.customAllocationDefinition() == null ? null : settings.customAllocationDefinition().webhookUrl();
    }

    private static void describeWebhook(Webhook trace, List<String> steps) {
        if (trace.request() == null) {
            return;
        }
        if (!trace.called()) {
            steps.add("The webhook would be offered " + trace.request().linkedHubs() + "; it was not called.");
            return;
        }
        AllocationWebhook.Outcome answer = trace.answer();
        String what = answer instanceof AllocationWebhook.Outcome.Answered answered
                ? "answered HTTP " + answered.statusCode()
                : answer instanceof AllocationWebhook.Outcome.TimedOut timedOut
                ? "did not answer within " + timedOut.timeout().toSeconds() + " s"
                : "could not be reached (" + ((AllocationWebhook.Outcome.Unreachable) answer).reason() + ")";
        steps.add("The webhook was called, offered " + trace.request().linkedHubs() + ", and " + what
                + (Boolean.TRUE.equals(trace.accepted()) ? "; its answer is accepted." : "; its answer is not accepted."));
    }

    private static Outcome outcome(AllocationResult result, String deviceId) {
        if (result instanceof AllocationResult.Assigned assigned) {
            return new Outcome(Status.ASSIGNED, assigned.hub().hostName(), deviceId, null, null, assigned.payload());
        }
        AllocationResult.Failed failed = (AllocationResult.Failed) result;
        return new Outcome(Status.FAILED, null, deviceId, failed.errorCode(), failed.message(), null);
    }

    private static void describeOutcome(Outcome outcome, Reprovisioning reprovisioning,
                                        DeviceRegistrationState previous, List<String> steps) {
        switch (outcome.status()) {
            case ASSIGNED -> {
                String line = "Outcome: assigned to " + outcome.assignedHub() + " as device '" + outcome.deviceId() + "'";
                if (PreviousRegistration.wasAssigned(previous)) {
                    line += previous.assignedHub().equalsIgnoreCase(outcome.assignedHub())
                            ? ", the hub it is on." : ", moving from " + previous.assignedHub() + " ("
                            + reprovisioning.name() + ").";
                } else {
                    line += ".";
                }
                steps.add(line);
            }
            case FAILED -> steps.add("Outcome: failed with " + outcome.errorCode().code() + ": " + outcome.message());
            case DISABLED -> steps.add("Outcome: disabled.");
            case UNDECIDED -> steps.add("Outcome: undecided. " + outcome.message());
        }
        steps.add("Nothing was written: no registration state, no hub identity. Whether the hub accepts the identity"
                + " (else 400209) is only known when the device registers.");
    }

    /**
     * Stands in for the webhook: records the request a registration would post and, when given a webhook to
     * call, what came back. Without one it calls nothing, and the allocation's verdict is then not used.
     */
    private static final class RecordingWebhook implements AllocationWebhook {
        private final AllocationWebhook delegate;
        private AllocationRequest request;
        private AllocationWebhook.Outcome outcome;

        RecordingWebhook(AllocationWebhook delegate) {
            this.delegate = delegate;
        }

        @Override
        public AllocationWebhook.Outcome call(String webhookUrl, AllocationRequest request) {
            this.request = request;
            if (delegate == null) {
                return new AllocationWebhook.Outcome.Unreachable("not called");
            }
            this.outcome = delegate.call(webhookUrl, request);
            return outcome;
        }
    }
}
