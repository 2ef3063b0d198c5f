package dev.opendps.allocation.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.allocation.config.ConfigJson;
import dev.opendps.wire.Json;

/** Builds the body DPS posts to a webhook (dps-protocol.md §5), for tests. */
public final class RequestBody {
    private final ObjectNode root = Json.object();
    private final ObjectNode context;
    private ObjectNode enrollment;

    private RequestBody(String registrationId) {
        context = root.putObject("deviceRuntimeContext");
        context.put("registrationId", registrationId);
        context.putObject("symmetricKey");
        enrollment = root.putObject("individualEnrollment");
        enrollment.put("registrationId", registrationId);
        enrollment.put("allocationPolicy", "custom");
    }

    public static RequestBody device(String registrationId) {
        return new RequestBody(registrationId);
    }

    public RequestBody payload(String json) {
        context.set("payload", Json.parseStored(json));
        return this;
    }

    public RequestBody linkedHubs(String... hubs) {
        var array = root.putArray("linkedHubs");
        for (String hub : hubs) {
            array.add(hub);
        }
        return this;
    }

    public RequestBody enrollmentGroup(String groupId) {
        root.remove("individualEnrollment");
        enrollment = root.putObject("enrollmentGroup");
        enrollment.put("enrollmentGroupId", groupId);
        enrollment.putObject("attestation").put("type", "symmetricKey");
        enrollment.put("allocationPolicy", "custom");
        return this;
    }

    public RequestBody enrollmentInitialTwin(String json) {
        enrollment.set("initialTwin", ConfigJson.parseObject(json, "test twin"));
        return this;
    }

    public String json() {
        return Json.string(root);
    }

    public AllocationRequest parsed() {
        return AllocationRequestJson.read(json());
    }
}
