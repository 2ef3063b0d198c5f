package dev.opendps.service.registration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.EnrollmentSettings;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ReprovisionPolicy;
import dev.opendps.domain.allocation.AllocationRequest;
import dev.opendps.domain.allocation.GeoLocation;
import dev.opendps.domain.port.AllocationWebhook;
import java.util.List;
import java.util.Objects;

/**
 * How a registration of one device would be decided now, without registering it ({@link AllocationExplainer}):
 * the enrollment that matches, the device's current registration and what its reprovision policy makes of it,
 * the allocation policy with its candidate hubs, and the outcome; {@code steps} tells the same in sentences.
 *
 * @param currentRegistration the device's registration state, or null if it has none
 */
public record AllocationExplanation(String registrationId, MatchedEnrollment enrollment,
                                    DeviceRegistrationState currentRegistration, Reprovisioning reprovisioning,
                                    Allocation allocation, Outcome outcome, List<String> steps) {

    public AllocationExplanation {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(enrollment, "enrollment");
        Objects.requireNonNull(reprovisioning, "reprovisioning");
        Objects.requireNonNull(allocation, "allocation");
        Objects.requireNonNull(outcome, "outcome");
        steps = List.copyOf(steps);
    }

    /** How the enrollment was found (dps-protocol.md §6.2). */
    public enum MatchedBy {
        /** The individual enrollment with the device's registration id. */
        REGISTRATION_ID,
        /** The group the explain request named. */
        REQUESTED_GROUP,
        /** The group the device's registration state records (a returning group device). */
        RECORDED_GROUP
    }

    /** The individual enrollment or the group (exactly one) a registration would go through. */
    public record MatchedEnrollment(IndividualEnrollment individual, EnrollmentGroup group, MatchedBy matchedBy,
                                    String deviceId) {
        public MatchedEnrollment {
            if ((individual == null) == (group == null)) {
                throw new IllegalArgumentException("An enrollment match is an individual enrollment or a group");
            }
            Objects.requireNonNull(matchedBy, "matchedBy");
            Objects.requireNonNull(deviceId, "deviceId");
        }

        public EnrollmentSettings settings() {
            return individual != null ? individual.settings() : group.settings();
        }
    }

    /** What the device's current registration means for the hub (§6.4). */
    public enum HubChoice {
        /** No hub yet (never registered, or the last registration was not assigned): the policy chooses. */
        INITIAL_ASSIGNMENT,
        /** {@code updateHubAssignment: true}: the policy chooses again. */
        REALLOCATED,
        /** {@code updateHubAssignment: false} and the hub still linked: the device stays. */
        KEPT,
        /** {@code updateHubAssignment: false} but the hub is no longer linked: the policy chooses anew. */
        REALLOCATED_HUB_UNLINKED
    }

    /** The enrollment's reprovision policy and the hub choice it implies; {@code keptHub} null unless KEPT. */
    public record Reprovisioning(ReprovisionPolicy policy, HubChoice hubChoice, LinkedHub keptHub) {
        public Reprovisioning {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(hubChoice, "hubChoice");
        }

        /** DPS's names for the three policies: "migrate", "reset", "never". */
        public String name() {
            if (!policy.updateHubAssignment()) {
                return "never";
            }
            return policy.migrateDeviceData() ? "migrate" : "reset";
        }
    }

    /**
     * The allocation policy and its candidates. {@code instanceDefault}: the enrollment names no policy.
     * {@code deviceLocation} is only set for {@code geoLatency} with a location in the payload; {@code webhook}
     * only for {@code custom}. {@code evaluated} is false when the policy did not run (a disabled enrollment).
     */
    public record Allocation(AllocationPolicy policy, boolean instanceDefault, List<Candidate> candidates,
                             GeoLocation deviceLocation, Webhook webhook, boolean evaluated) {
        public Allocation {
            Objects.requireNonNull(policy, "policy");
            candidates = List.copyOf(candidates);
        }
    }

    /**
     * A hub the enrollment allows. {@code hub} is null for a name in the enrollment's {@code iotHubs} that is not
     * linked. {@code score} (weighted rendezvous hash) for {@code hashed} and {@code geoLatency}; {@code location}
     * and {@code distanceKm} for {@code geoLatency}, when known.
     */
    public record Candidate(String hostName, LinkedHub hub, Double score, GeoLocation location, Double distanceKm,
                            boolean chosen) {
        public Candidate {
            Objects.requireNonNull(hostName, "hostName");
        }

        public boolean linked() {
            return hub != null;
        }
    }

    /**
     * The custom allocation webhook: its URL as stored (writers mask its query), the request a registration would
     * post (null if it would not get that far), and, only when it was called, what came back and whether the
     * answer assigns the device.
     */
    public record Webhook(String url, AllocationRequest request, AllocationWebhook.Outcome answer, Boolean accepted) {
        public boolean called() {
            return answer != null;
        }
    }

    /** What a registration would end in. */
    public enum Status {
        ASSIGNED("assigned"),
        FAILED("failed"),
        DISABLED("disabled"),
        /** A custom allocation whose webhook was not called: the webhook decides. */
        UNDECIDED("undecided");

        private final String wireName;

        Status(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /**
     * The outcome: the hub and device id of the identity for {@code assigned}; the DPS error code and message of
     * the registration state for {@code failed}; what the registration state would keep for {@code disabled}.
     */
    public record Outcome(Status status, String assignedHub, String deviceId, ErrorCode errorCode, String message,
                          JsonNode payload) {
        public Outcome {
            Objects.requireNonNull(status, "status");
            payload = payload == null ? null : payload.deepCopy();
        }
    }
}
