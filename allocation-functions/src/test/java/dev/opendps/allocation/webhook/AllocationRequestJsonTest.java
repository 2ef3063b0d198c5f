package dev.opendps.allocation.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AllocationRequestJsonTest {
    /** The example body of dps-protocol.md §5, as real DPS sends it. */
    static final String SPEC_EXAMPLE = """
            {"enrollmentGroup":{"enrollmentGroupId":"contoso-custom-allocated-devices","attestation":{"type":"symmetricKey"},
              "capabilities":{"iotEdge":false},"etag":"\\"13003fea-0000-0300-0000-62d1d5e50000\\"","provisioningStatus":"enabled",
              "reprovisionPolicy":{"updateHubAssignment":true,"migrateDeviceData":true},
              "createdDateTimeUtc":"2022-07-05T21:27:16.8123235Z","lastUpdatedDateTimeUtc":"2022-07-15T21:02:29.5922255Z",
              "allocationPolicy":"custom","iotHubs":["toasters-hub.azure-devices.net","heatpumps-hub.azure-devices.net"],
              "customAllocationDefinition":{"webhookUrl":"https://fn.azurewebsites.net/api/HttpTrigger1?****","apiVersion":"2021-10-01"}},
             "deviceRuntimeContext":{"registrationId":"breakroom499-contoso-tstrsd-007",
              "currentIotHubHostName":"toasters-hub.azure-devices.net","currentDeviceId":"breakroom499-contoso-tstrsd-007",
              "symmetricKey":{},"payload":{"MyDeviceFirmwareVersion":"12.0.2.5"}},
             "linkedHubs":["toasters-hub.azure-devices.net","heatpumps-hub.azure-devices.net"]}
            """;

    @Test
    void readsTheSpecificationExample() {
        AllocationRequest request = AllocationRequestJson.read(SPEC_EXAMPLE);

        assertThat(request.registrationId()).isEqualTo("breakroom499-contoso-tstrsd-007");
        assertThat(request.currentIotHubHostName()).isEqualTo("toasters-hub.azure-devices.net");
        assertThat(request.enrollmentGroupId()).isEqualTo("contoso-custom-allocated-devices");
        assertThat(request.payloadField("MyDeviceFirmwareVersion").asText()).isEqualTo("12.0.2.5");
        assertThat(request.linkedHubs())
                .containsExactly("toasters-hub.azure-devices.net", "heatpumps-hub.azure-devices.net");
        assertThat(request.enrollmentInitialTwin()).isEqualTo(InitialTwin.empty());
    }

    @Test
    void acceptsTheCurrentIoTHubHostNameSpelling() {
        AllocationRequest request = AllocationRequestJson.read("""
                {"deviceRuntimeContext":{"registrationId":"dev-1","currentIoTHubHostName":"hub-a.azure-devices.net"},
                 "linkedHubs":["hub-a.azure-devices.net"]}""");

        assertThat(request.currentIotHubHostName()).isEqualTo("hub-a.azure-devices.net");
    }

    @Test
    void aMissingPayloadIsNoPayload() {
        AllocationRequest request = AllocationRequestJson.read("""
                {"deviceRuntimeContext":{"registrationId":"dev-1"},"linkedHubs":["hub-a"]}""");

        assertThat(request.payload()).isNull();
        assertThat(request.payloadField("serialNumber")).isNull();
        assertThat(request.enrollmentGroupId()).isNull();
    }

    @Test
    void aPayloadThatIsNotAnObjectIsIgnored() {
        AllocationRequest request = AllocationRequestJson.read("""
                {"deviceRuntimeContext":{"registrationId":"dev-1","payload":"just text"},"linkedHubs":[]}""");

        assertThat(request.payload()).isNull();
    }

    @Test
    void unknownFieldsAndOddHubEntriesAreIgnored() {
        AllocationRequest request = AllocationRequestJson.read("""
                {"futureField":{"x":1},"deviceRuntimeContext":{"registrationId":"dev-1","somethingNew":true},
                 "linkedHubs":["hub-a", 42, "HUB-A", "hub-b", null]}""");

        assertThat(request.linkedHubs()).containsExactly("hub-a", "hub-b");
    }

    @Test
    void readsTheEnrollmentsInitialTwinWithoutHubMetadata() {
        AllocationRequest request = RequestBody.device("dev-1").linkedHubs("hub-a")
                .enrollmentInitialTwin("""
                        {"tags":{"floor":3},"properties":{"desired":{"interval":10,"$metadata":{},"$version":1}}}""")
                .parsed();

        assertThat(request.enrollmentInitialTwin().tags().toString()).isEqualTo("{\"floor\":3}");
        assertThat(request.enrollmentInitialTwin().desiredProperties().toString()).isEqualTo("{\"interval\":10}");
    }

    @Test
    void malformedJsonIsRefusedWithItsPositionOnly() {
        assertThatThrownBy(() -> AllocationRequestJson.read("{\"deviceRuntimeContext\": {\"secret\": \"s3cr3t\" "))
                .isInstanceOf(MalformedRequestException.class)
                .hasMessageStartingWith("The request body is not valid JSON (line 1")
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void aBodyWithoutRegistrationIdIsRefused() {
        assertThatThrownBy(() -> AllocationRequestJson.read("{\"deviceRuntimeContext\":{},\"linkedHubs\":[]}"))
                .isInstanceOf(MalformedRequestException.class)
                .hasMessageContaining("deviceRuntimeContext.registrationId");
        assertThatThrownBy(() -> AllocationRequestJson.read("{\"linkedHubs\":[]}"))
                .hasMessageContaining("no deviceRuntimeContext");
    }

    @Test
    void anEmptyOrNonObjectBodyIsRefused() {
        assertThatThrownBy(() -> AllocationRequestJson.read("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> AllocationRequestJson.read(null)).hasMessageContaining("empty");
        assertThatThrownBy(() -> AllocationRequestJson.read("[1,2]")).hasMessageContaining("must be a JSON object");
    }

    @Test
    void offeredAmongKeepsDpsSpellingAndOrder() {
        AllocationRequest request = RequestBody.device("dev-1")
                .linkedHubs("Hub-B.azure-devices.net", "hub-a.azure-devices.net", "hub-c.azure-devices.net").parsed();

        assertThat(request.offeredAmong(java.util.List.of("hub-a.azure-devices.net", "hub-b.azure-devices.net",
                "hub-z.azure-devices.net"))).containsExactly("Hub-B.azure-devices.net", "hub-a.azure-devices.net");
    }
}
