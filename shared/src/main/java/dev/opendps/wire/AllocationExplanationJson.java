package dev.opendps.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.ReprovisionPolicy;
import dev.opendps.domain.allocation.GeoLocation;
import dev.opendps.domain.port.AllocationWebhook;
import dev.opendps.service.registration.AllocationExplainer.ExplainRequest;
import dev.opendps.service.registration.AllocationExplanation;
import dev.opendps.service.registration.AllocationExplanation.Allocation;
import dev.opendps.service.registration.AllocationExplanation.Candidate;
import dev.opendps.service.registration.AllocationExplanation.MatchedEnrollment;
import dev.opendps.service.registration.AllocationExplanation.Outcome;
import dev.opendps.service.registration.AllocationExplanation.Reprovisioning;
import dev.opendps.service.registration.AllocationExplanation.Webhook;

/**
 * {@code POST /explain/{registrationId}}: the request ({@code {enrollmentGroupId, payload, callWebhook}}, all
 * optional, an empty body too) and the explanation. Nothing secret is written: enrollments appear by id and
 * settings only, the webhook URL with its query masked ({@code ?****}), the webhook request as
 * {@link AllocationRequestJson} writes it.
 */
public final class AllocationExplanationJson {
    private AllocationExplanationJson() {
    }

    /** The request for {@code registrationId}; malformed JSON is 400012, a field of the wrong type 400004. */
    public static ExplainRequest readRequest(String registrationId, byte[] body) {
        if (body == null || body.length == 0) {
            return new ExplainRequest(registrationId, null, null, false);
        }
        ObjectNode node = Json.parseObject(body);
        Boolean callWebhook = Fields.bool(node, "callWebhook");
        return new ExplainRequest(registrationId, Fields.string(node, "enrollmentGroupId"),
                Fields.present(node, "payload"), Boolean.TRUE.equals(callWebhook));
    }

    public static ObjectNode write(AllocationExplanation explanation) {
        ObjectNode node = Json.object();
        node.put("registrationId", explanation.registrationId());
        node.set("enrollment", enrollment(explanation.enrollment()));
        DeviceRegistrationState current = explanation.currentRegistration();
        node.set("currentRegistration", current == null ? node.nullNode()
                : RegistrationStateJson.write(current, View.API));
        node.set("reprovisioning", reprovisioning(explanation.reprovisioning()));
        node.set("allocation", allocation(explanation.allocation()));
        node.set("outcome", outcome(explanation.outcome()));
        ArrayNode steps = node.putArray("steps");
        explanation.steps().forEach(steps::add);
        return node;
    }

    private static ObjectNode enrollment(MatchedEnrollment enrollment) {
        ObjectNode node = Json.object();
        if (enrollment.individual() != null) {
            node.put("type", "individualEnrollment");
            node.put("registrationId", enrollment.individual().registrationId());
        } else {
            node.put("type", "enrollmentGroup");
            node.put("enrollmentGroupId", enrollment.group().enrollmentGroupId());
        }
        node.put("matchedBy", switch (enrollment.matchedBy()) {
            case REGISTRATION_ID -> "registrationId";
            case REQUESTED_GROUP -> "enrollmentGroupId";
            case RECORDED_GROUP -> "registrationState";
        });
        node.put("attestationType", enrollment.settings().attestation().type());
        node.put("provisioningStatus", enrollment.settings().provisioningStatus().wireName());
        node.put("enabled", enrollment.settings().enabled());
        node.put("deviceId", enrollment.deviceId());
        return node;
    }

    private static ObjectNode reprovisioning(Reprovisioning reprovisioning) {
        ObjectNode node = Json.object();
        ReprovisionPolicy policy = reprovisioning.policy();
        node.put("policy", reprovisioning.name());
        node.put("updateHubAssignment", policy.updateHubAssignment());
        node.put("migrateDeviceData", policy.migrateDeviceData());
        node.put("hub", switch (reprovisioning.hubChoice()) {
            case INITIAL_ASSIGNMENT -> "initialAssignment";
            case REALLOCATED -> "reallocated";
            case KEPT -> "kept";
            case REALLOCATED_HUB_UNLINKED -> "reallocatedHubUnlinked";
        });
        if (reprovisioning.keptHub() != null) {
            node.put("keptHub", reprovisioning.keptHub().hostName());
        } else {
            node.putNull("keptHub");
        }
        return node;
    }

    private static ObjectNode allocation(Allocation allocation) {
        ObjectNode node = Json.object();
        node.put("policy", allocation.policy().wireName());
        node.put("policySource", allocation.instanceDefault() ? "instanceDefault" : "enrollment");
        node.put("evaluated", allocation.evaluated());
        if (allocation.deviceLocation() != null) {
            node.set("deviceLocation", location(allocation.deviceLocation()));
        }
        ArrayNode candidates = node.putArray("candidates");
        allocation.candidates().forEach(candidate -> candidates.add(candidate(candidate)));
        node.set("webhook", allocation.webhook() == null ? node.nullNode() : webhook(allocation.webhook()));
        return node;
    }

    private static ObjectNode candidate(Candidate candidate) {
        ObjectNode node = Json.object();
        node.put("hostName", candidate.hostName());
        node.put("linked", candidate.linked());
        if (candidate.hub() != null) {
            node.put("allocationWeight", candidate.hub().allocationWeight());
            node.put("applyAllocationPolicy", candidate.hub().applyAllocationPolicy());
        }
        if (candidate.score() != null) {
            node.put("score", candidate.score());
        }
        if (candidate.location() != null) {
            node.set("location", location(candidate.location()));
        }
        if (candidate.distanceKm() != null) {
            node.put("distanceKm", Math.round(candidate.distanceKm() * 10) / 10.0);
        }
        node.put("chosen", candidate.chosen());
        return node;
    }

    private static ObjectNode location(GeoLocation location) {
        ObjectNode node = Json.object();
        node.put("lat", location.latitude());
        node.put("lon", location.longitude());
        return node;
    }

    private static ObjectNode webhook(Webhook webhook) {
        ObjectNode node = Json.object();
        if (webhook.url() != null) {
            node.put("url", AllocationRequestJson.maskedQuery(webhook.url()));
        } else {
            node.putNull("url");
        }
        node.set("request", webhook.request() == null ? node.nullNode()
                : AllocationRequestJson.write(webhook.request()));
        node.put("called", webhook.called());
        AllocationWebhook.Outcome answer = webhook.answer();
        if (answer instanceof AllocationWebhook.Outcome.Answered answered) {
            node.put("statusCode", answered.statusCode());
            node.set("responseBody", answered.body() == null ? node.nullNode() : answered.body());
        } else if (answer instanceof AllocationWebhook.Outcome.TimedOut timedOut) {
            node.put("failure", "no answer within " + timedOut.timeout().toSeconds() + " s");
        } else if (answer instanceof AllocationWebhook.Outcome.Unreachable unreachable) {
            node.put("failure", "unreachable: " + unreachable.reason());
        }
        if (webhook.accepted() != null) {
            node.put("accepted", webhook.accepted());
        }
        return node;
    }

    private static ObjectNode outcome(Outcome outcome) {
        ObjectNode node = Json.object();
        node.put("status", outcome.status().wireName());
        putOrNull(node, "assignedHub", outcome.assignedHub());
        putOrNull(node, "deviceId", outcome.deviceId());
        if (outcome.errorCode() != null) {
            node.put("errorCode", outcome.errorCode().code());
        } else {
            node.putNull("errorCode");
        }
        putOrNull(node, "message", outcome.message());
        if (outcome.payload() != null) {
            node.set("payload", outcome.payload());
        }
        return node;
    }

    private static void putOrNull(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        } else {
            node.putNull(name);
        }
    }
}
