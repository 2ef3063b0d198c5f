package dev.opendps.allocation.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.wire.Json;
import org.junit.jupiter.api.Test;

class AllocationWebhookTest {
    private final AllocationWebhook webhook = new AllocationWebhook("test", request -> request.registrationId()
            .startsWith("refuse") ? new AllocationDecision.Refuse(404, "Nobody knows " + request.registrationId())
            : new AllocationDecision.Assign(request.linkedHubs().get(0),
                    request.enrollmentInitialTwin().withTag("chosen", "yes"), Json.parseStored("{\"hello\":1}")));

    @Test
    void anAssignmentIsTheDpsAllocationResponse() {
        WebhookAnswer answer = webhook.answer(RequestBody.device("dev-1").linkedHubs("hub-a", "hub-b").json());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.bodyText()).isEqualTo("{\"iotHubHostName\":\"hub-a\",\"initialTwin\":{\"tags\":"
                + "{\"chosen\":\"yes\"},\"properties\":{\"desired\":{}}},\"payload\":{\"hello\":1}}");
    }

    @Test
    void aRefusalIsItsStatusAndAMessage() {
        WebhookAnswer answer = webhook.answer(RequestBody.device("refuse-me").linkedHubs("hub-a").json());

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.bodyText()).isEqualTo("{\"message\":\"Nobody knows refuse-me\"}");
    }

    @Test
    void aMalformedRequestIs400WithAMessage() {
        WebhookAnswer answer = webhook.answer("{not json");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body().get("message").asText()).startsWith("The request body is not valid JSON");
    }

    @Test
    void theSpecificationExampleIsAnswered() {
        WebhookAnswer answer = webhook.answer(AllocationRequestJsonTest.SPEC_EXAMPLE);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().get("iotHubHostName").asText()).isEqualTo("toasters-hub.azure-devices.net");
    }
}
