package dev.opendps.domain.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.CustomAllocationDefinition;
import dev.opendps.domain.EnrollmentSettings;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.ReprovisionPolicy;
import dev.opendps.domain.allocation.AllocationResult.Assigned;
import dev.opendps.domain.allocation.AllocationResult.Failed;
import dev.opendps.domain.allocation.DeviceRuntimeContext.PresentedAttestation;
import dev.opendps.domain.port.AllocationWebhook;
import dev.opendps.domain.port.AllocationWebhook.Outcome;
import dev.opendps.domain.port.Records;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code custom} policy (dps-protocol.md §5) against a scripted webhook: what is offered, what is accepted. */
class CustomAllocationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String URL = "https://fn.example.net/api/allocate?code=secret-function-key";
    private static final LinkedHub HUB_A = hub("hub-a.azure-devices.net", true);
    private static final LinkedHub HUB_B = hub("hub-b.azure-devices.net", true);
    private static final LinkedHub EXCLUDED = hub("excluded.azure-devices.net", false);

    private final List<AllocationRequest> calls = new ArrayList<>();
    private final List<String> urls = new ArrayList<>();
    private Outcome answer = answered(200, "{\"iotHubHostName\":\"hub-b.azure-devices.net\"}");
    private final AllocationWebhook webhook = (url, request) -> {
        urls.add(url);
        calls.add(request);
        return answer;
    };
    private final HubAllocation allocation = new HubAllocation(webhook);

    @Test
    void theWebhookIsCalledAtTheEnrollmentsUrlAndChoosesTheHub() {
        AllocationResult result = allocation.allocate(instance(HUB_A, HUB_B), device(custom()), null);

        assertThat(((Assigned) result).hub()).isEqualTo(HUB_B);
        assertThat(urls).containsExactly(URL);
        assertThat(calls.get(0).device().registrationId()).isEqualTo("device-1");
    }

    @Test
    void allLinkedHubsThatAllocationMayChooseAreOffered() {
        allocation.allocate(instance(HUB_A, EXCLUDED, HUB_B), device(custom()), null);

        assertThat(calls.get(0).linkedHubs()).containsExactly(HUB_A.hostName(), HUB_B.hostName());
    }

    @Test
    void theEnrollmentsIotHubsNarrowTheOffer() {
        allocation.allocate(instance(HUB_A, HUB_B), device(custom(HUB_B.hostName())), null);

        assertThat(calls.get(0).linkedHubs()).containsExactly(HUB_B.hostName());
    }

    @Test
    void aDeviceKeepingItsHubIsOfferedOnlyThatHubButTheWebhookIsStillCalled() {
        answer = answered(200, "{\"iotHubHostName\":\"hub-a.azure-devices.net\",\"payload\":{\"n\":2}}");

        AllocationResult result = allocation.allocate(instance(HUB_A, HUB_B), device(custom()), HUB_A);

        assertThat(calls.get(0).linkedHubs()).containsExactly(HUB_A.hostName());
        assertThat(((Assigned) result).payload()).isEqualTo(json("{\"n\":2}"));
    }

    @Test
    void builtInPoliciesKeepTheKeptHubWithoutCallingAnything() {
        EnrollmentSettings hashed = settings(AllocationPolicy.HASHED, null);

        AllocationResult result = allocation.allocate(instance(HUB_A, HUB_B), device(hashed), HUB_A);

        assertThat(((Assigned) result).hub()).isEqualTo(HUB_A);
        assertThat(calls).isEmpty();
    }

    @Test
    void initialTwinAndPayloadOfTheAnswerAreKeptAndOtherFieldsIgnored() {
        answer = answered(200, "{\"iotHubHostName\":\"HUB-A.azure-devices.net\",\"initialTwin\":{\"tags\":{\"t\":1}},"
                + "\"payload\":{\"p\":true},\"linkedHubs\":[\"x\"],\"enrollment\":{}}");

        Assigned result = (Assigned) allocation.allocate(instance(HUB_A, HUB_B), device(custom()), null);

        assertThat(result.hub()).isEqualTo(HUB_A);
        assertThat(result.initialTwin()).isEqualTo(json("{\"tags\":{\"t\":1}}"));
        assertThat(result.payload()).isEqualTo(json("{\"p\":true}"));
    }

    @Test
    void aNullInitialTwinOrPayloadIsNoneGiven() {
        answer = answered(200, "{\"iotHubHostName\":\"hub-a.azure-devices.net\",\"initialTwin\":null,\"payload\":null}");

        Assigned result = (Assigned) allocation.allocate(instance(HUB_A, HUB_B), device(custom()), null);

        assertThat(result.initialTwin()).isNull();
        assertThat(result.payload()).isNull();
    }

    @Test
    void aNon2xxAnswerFailsWithDpsWording() {
        answer = answered(500, "{\"iotHubHostName\":\"hub-a.azure-devices.net\"}");

        assertFailure(ErrorCode.CUSTOM_ALLOCATION_FAILED, "Custom allocation failed with status code: 500");
    }

    @Test
    void aTimeoutFailsWith400207() {
        answer = new Outcome.TimedOut(Duration.ofSeconds(5));

        assertFailure(ErrorCode.CUSTOM_ALLOCATION_FAILED, "Custom allocation failed: the webhook did not answer within 5 s.");
    }

    @Test
    void anUnreachableWebhookFailsWith400207() {
        answer = new Outcome.Unreachable("connection refused");

        assertFailure(ErrorCode.CUSTOM_ALLOCATION_FAILED,
                "Custom allocation failed: the webhook could not be reached (connection refused).");
    }

    @Test
    void answersThatAreNotAnObjectNamingAHubFailWith400207() {
        answer = new Outcome.Answered(200, null);
        assertFailure(ErrorCode.CUSTOM_ALLOCATION_FAILED, "Custom allocation failed: the webhook's answer is not JSON.");
        answer = answered(200, "[\"hub-a.azure-devices.net\"]");
        assertFailure(ErrorCode.CUSTOM_ALLOCATION_FAILED,
                "Custom allocation failed: the webhook's answer is not a JSON object.");
        answer = answered(200, "{\"iotHubHostName\":42}");
        assertFailure(ErrorCode.CUSTOM_ALLOCATION_FAILED,
                "Custom allocation failed: the webhook's answer has no iotHubHostName.");
        answer = answered(200, "{\"iotHubHostName\":\"hub-a.azure-devices.net\",\"payload\":\"text\"}");
        assertFailure(ErrorCode.CUSTOM_ALLOCATION_FAILED,
                "Custom allocation failed: the webhook's payload is not a JSON object.");
        answer = answered(200, "{\"iotHubHostName\":\"hub-a.azure-devices.net\",\"initialTwin\":[]}");
        assertFailure(ErrorCode.CUSTOM_ALLOCATION_FAILED,
                "Custom allocation failed: the webhook's initialTwin is not a JSON object.");
    }

    @Test
    void aHubThatWasNotOfferedFailsWith400208() {
        answer = answered(200, "{\"iotHubHostName\":\"excluded.azure-devices.net\"}");

        assertFailure(ErrorCode.NO_HUB, "Custom allocation chose the IoT hub 'excluded.azure-devices.net', which is not"
                + " among the linked hubs offered: [hub-a.azure-devices.net, hub-b.azure-devices.net].");
    }

    @Test
    void withoutCandidatesTheWebhookIsNotCalledAndTheDeviceGetsNoHub() {
        AllocationResult none = allocation.allocate(instance(), device(custom()), null);
        AllocationResult onlyExcluded = allocation.allocate(instance(EXCLUDED), device(custom()), null);

        assertThat(((Failed) none).errorCode()).isEqualTo(ErrorCode.NO_HUB);
        assertThat(((Failed) onlyExcluded).errorCode()).isEqualTo(ErrorCode.NO_HUB);
        assertThat(calls).isEmpty();
    }

    @Test
    void withoutAWebhookClientCustomFailsWith400207() {
        AllocationResult result = new HubAllocation().allocate(instance(HUB_A), device(custom()), null);

        assertThat(((Failed) result).errorCode()).isEqualTo(ErrorCode.CUSTOM_ALLOCATION_FAILED);
    }

    // --- fixtures ---------------------------------------------------------------------------------------

    private void assertFailure(ErrorCode code, String message) {
        AllocationResult result = allocation.allocate(instance(HUB_A, HUB_B, EXCLUDED), device(custom()), null);

        assertThat(result).isInstanceOf(Failed.class);
        assertThat(((Failed) result).errorCode()).isEqualTo(code);
        assertThat(((Failed) result).message()).isEqualTo(message).doesNotContain("secret-function-key");
    }

    private static Outcome answered(int status, String body) {
        return new Outcome.Answered(status, json(body));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static EnrollmentSettings custom(String... iotHubs) {
        return settings(AllocationPolicy.CUSTOM, new CustomAllocationDefinition(URL, "2021-10-01"), iotHubs);
    }

    private static EnrollmentSettings settings(AllocationPolicy policy, CustomAllocationDefinition definition,
                                               String... iotHubs) {
        return new EnrollmentSettings(Records.symmetricKey(), false, null, null, null, ReprovisionPolicy.DEFAULT,
                policy, List.of(iotHubs), definition);
    }

    private static RegisteringDevice device(EnrollmentSettings settings) {
        return new RegisteringDevice(new IndividualEnrollment("device-1", null, null, settings, null), null,
                new DeviceRuntimeContext("device-1", null, null, new PresentedAttestation.SymmetricKey(), null));
    }

    private static LinkedHub hub(String hostName, boolean applyAllocationPolicy) {
        return new LinkedHub(hostName, 1, applyAllocationPolicy, null);
    }

    private static ProvisioningInstance instance(LinkedHub... hubs) {
        return new ProvisioningInstance("dps.example.net", "0ne00000A0A", List.of(), Arrays.asList(hubs),
                AllocationPolicy.HASHED, null, Records.CREATED);
    }
}
