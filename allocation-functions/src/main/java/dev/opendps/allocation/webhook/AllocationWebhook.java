package dev.opendps.allocation.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.wire.Json;
import java.util.Objects;

/**
 * One custom allocation webhook, independent of any Functions host: reads DPS's request, asks the allocator,
 * writes DPS's {@code AllocationResponse} (dps-protocol.md §5) or a refusal. Client mistakes are 400s, never
 * 500s; logs name the registration id and the outcome, never the payload or the function key.
 */
public final class AllocationWebhook {
    private static final System.Logger LOG = System.getLogger(AllocationWebhook.class.getName());

    private final String name;
    private final Allocator allocator;

    public AllocationWebhook(String name, Allocator allocator) {
        this.name = Objects.requireNonNull(name, "name");
        this.allocator = Objects.requireNonNull(allocator, "allocator");
    }

    public WebhookAnswer answer(String body) {
        AllocationRequest request;
        try {
            request = AllocationRequestJson.read(body);
        } catch (MalformedRequestException e) {
            LOG.log(System.Logger.Level.INFO, () -> name + ": malformed request: " + e.getMessage());
            return WebhookAnswer.refusal(400, e.getMessage());
        }
        AllocationDecision decision = allocator.allocate(request);
        if (decision instanceof AllocationDecision.Assign assign) {
            LOG.log(System.Logger.Level.INFO, () -> name + ": " + request.registrationId() + " -> "
                    + assign.iotHubHostName());
            return new WebhookAnswer(200, response(assign));
        }
        AllocationDecision.Refuse refuse = (AllocationDecision.Refuse) decision;
        LOG.log(System.Logger.Level.INFO, () -> name + ": " + request.registrationId() + " refused ("
                + refuse.status() + "): " + refuse.reason());
        return WebhookAnswer.refusal(refuse.status(), refuse.reason());
    }

    /** {@code {"iotHubHostName":…,"initialTwin":{"tags":…,"properties":{"desired":…}},"payload":…}}. */
    static ObjectNode response(AllocationDecision.Assign assign) {
        ObjectNode node = Json.object();
        node.put("iotHubHostName", assign.iotHubHostName());
        node.set("initialTwin", assign.initialTwin().toJson());
        if (assign.payload() != null) {
            node.set("payload", assign.payload());
        }
        return node;
    }
}
