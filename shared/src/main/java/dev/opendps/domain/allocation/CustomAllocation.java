package dev.opendps.domain.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.CustomAllocationDefinition;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.port.AllocationWebhook;
import dev.opendps.domain.port.AllocationWebhook.Outcome;
import java.util.List;
import java.util.Objects;

/**
 * The {@code custom} policy (dps-protocol.md §5): the enrollment's webhook chooses among the hubs offered.
 *
 * <p>Only an HTTP 2xx answer whose body is a JSON object naming one of the offered hubs in
 * {@code iotHubHostName} assigns the device; its {@code initialTwin} and {@code payload}, when present, must be
 * JSON objects; other fields are ignored. Everything else fails with 400207 ("Custom allocation failed with
 * status code: N" for a non-2xx answer, DPS's own wording), except a hub that was not offered, which is
 * 400208 (no hub could be assigned). DPS does not publish the other messages; these say what went wrong
 * without the webhook's URL, whose query holds the function key.
 */
final class CustomAllocation {
    private final AllocationWebhook webhook;

    CustomAllocation(AllocationWebhook webhook) {
        this.webhook = Objects.requireNonNull(webhook, "webhook");
    }

    /** Asks the webhook to choose one of {@code offered} (non-empty) for {@code device}. */
    AllocationResult allocate(RegisteringDevice device, List<LinkedHub> offered) {
        CustomAllocationDefinition definition = device.settings().customAllocationDefinition();
        if (definition == null || definition.webhookUrl() == null || definition.webhookUrl().isBlank()) {
            return failed("the enrollment has no customAllocationDefinition.webhookUrl.");
        }
        List<String> hostNames = offered.stream().map(LinkedHub::hostName).toList();
        Outcome outcome = webhook.call(definition.webhookUrl(), new AllocationRequest(device, hostNames));
        if (outcome instanceof Outcome.TimedOut timedOut) {
            return failed("the webhook did not answer within " + timedOut.timeout().toSeconds() + " s.");
        }
        if (outcome instanceof Outcome.Unreachable unreachable) {
            return failed("the webhook could not be reached (" + unreachable.reason() + ").");
        }
        Outcome.Answered answer = (Outcome.Answered) outcome;
        if (answer.statusCode() < 200 || answer.statusCode() > 299) {
            return AllocationResult.failed(ErrorCode.CUSTOM_ALLOCATION_FAILED,
                    "Custom allocation failed with status code: " + answer.statusCode());
        }
        return interpret(answer.body(), offered, hostNames);
    }

    private static AllocationResult interpret(JsonNode body, List<LinkedHub> offered, List<String> hostNames) {
        if (body == null) {
            return failed("the webhook's answer is not JSON.");
        }
        if (!body.isObject()) {
            return failed("the webhook's answer is not a JSON object.");
        }
        JsonNode hubName = body.get("iotHubHostName");
        if (hubName == null || !hubName.isTextual() || hubName.asText().isBlank()) {
            return failed("the webhook's answer has no iotHubHostName.");
        }
        for (String field : List.of("initialTwin", "payload")) {
            if (!objectOrAbsent(body.get(field))) {
                return failed("the webhook's " + field + " is not a JSON object.");
            }
        }
        String chosen = hubName.asText();
        return offered.stream().filter(hub -> hub.hostName().equalsIgnoreCase(chosen)).findFirst()
                .<AllocationResult>map(hub -> new AllocationResult.Assigned(hub, objectOrNull(body.get("initialTwin")),
                        objectOrNull(body.get("payload"))))
                .orElseGet(() -> AllocationResult.failed(ErrorCode.NO_HUB, "Custom allocation chose the IoT hub '"
                        + chosen + "', which is not among the linked hubs offered: " + hostNames + "."));
    }

    /** Absent and null both mean "not given" (§5: a null initialTwin keeps the enrollment's). */
    private static boolean objectOrAbsent(JsonNode value) {
        return value == null || value.isNull() || value.isObject();
    }

    private static JsonNode objectOrNull(JsonNode value) {
        return value != null && value.isObject() ? value : null;
    }

    private static AllocationResult failed(String what) {
        return AllocationResult.failed(ErrorCode.CUSTOM_ALLOCATION_FAILED, "Custom allocation failed: " + what);
    }
}
