package dev.opendps.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.X509CertificateInfo;
import dev.opendps.domain.allocation.AllocationRequest;
import dev.opendps.domain.allocation.DeviceRuntimeContext;
import dev.opendps.domain.allocation.DeviceRuntimeContext.PresentedAttestation;
import dev.opendps.domain.allocation.RegisteringDevice;
import dev.opendps.domain.port.Records;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The custom allocation request body (dps-protocol.md §5), against the spec's example and without secrets. */
class AllocationRequestJsonTest {
    /** The §5 example, as real DPS sent it (function key masked in the URL). */
    private static final String SPEC_EXAMPLE = "{\"enrollmentGroup\":{\"enrollmentGroupId\":\"contoso-custom-allocated-devices\","
            + "\"attestation\":{\"type\":\"symmetricKey\"},\"capabilities\":{\"iotEdge\":false},"
            + "\"etag\":\"\\\"13003fea-0000-0300-0000-62d1d5e50000\\\"\",\"provisioningStatus\":\"enabled\","
            + "\"reprovisionPolicy\":{\"updateHubAssignment\":true,\"migrateDeviceData\":true},"
            + "\"createdDateTimeUtc\":\"2022-07-05T21:27:16.8123235Z\",\"lastUpdatedDateTimeUtc\":\"2022-07-15T21:02:29.5922255Z\","
            + "\"allocationPolicy\":\"custom\",\"iotHubs\":[\"toasters-hub.azure-devices.net\",\"heatpumps-hub.azure-devices.net\"],"
            + "\"customAllocationDefinition\":{\"webhookUrl\":\"https://fn.azurewebsites.net/api/HttpTrigger1?****\",\"apiVersion\":\"2021-10-01\"}},"
            + "\"deviceRuntimeContext\":{\"registrationId\":\"breakroom499-contoso-tstrsd-007\","
            + "\"currentIotHubHostName\":\"toasters-hub.azure-devices.net\",\"currentDeviceId\":\"breakroom499-contoso-tstrsd-007\","
            + "\"symmetricKey\":{},\"payload\":{\"MyDeviceFirmwareVersion\":\"12.0.2.5\"}},"
            + "\"linkedHubs\":[\"toasters-hub.azure-devices.net\",\"heatpumps-hub.azure-devices.net\"]}";

    private static JsonNode parse(String json) {
        return Json.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theSpecExampleIsWrittenExactlyWithTheGroupKeysLeftOutAndTheFunctionKeyMasked() {
        ObjectNode stored = (ObjectNode) parse(SPEC_EXAMPLE).get("enrollmentGroup").deepCopy();
        ((ObjectNode) stored.get("attestation")).putObject("symmetricKey")
                .put("primaryKey", "cHJpbWFyeS1ncm91cC1rZXk=").put("secondaryKey", "c2Vjb25kYXJ5LWdyb3VwLWtleQ==");
        ((ObjectNode) stored.get("customAllocationDefinition"))
                .put("webhookUrl", "https://fn.azurewebsites.net/api/HttpTrigger1?code=c2VjcmV0LWZ1bmN0aW9uLWtleQ==");
        EnrollmentGroup group = EnrollmentJson.readGroup(stored);
        DeviceRuntimeContext context = new DeviceRuntimeContext("breakroom499-contoso-tstrsd-007",
                "toasters-hub.azure-devices.net", "breakroom499-contoso-tstrsd-007",
                new PresentedAttestation.SymmetricKey(), parse("{\"MyDeviceFirmwareVersion\":\"12.0.2.5\"}"));

        ObjectNode written = AllocationRequestJson.write(new AllocationRequest(new RegisteringDevice(null, group, context),
                List.of("toasters-hub.azure-devices.net", "heatpumps-hub.azure-devices.net")));

        assertThat(written).isEqualTo(parse(SPEC_EXAMPLE));
        assertThat(Json.string(written)).doesNotContain("cHJpbWFyeS1ncm91cC1rZXk=", "c2Vjb25kYXJ5LWdyb3VwLWtleQ==",
                "c2VjcmV0LWZ1bmN0aW9uLWtleQ==");
    }

    @Test
    void aFirstRegistrationWithoutPayloadHasNeitherCurrentHubNorPayload() {
        IndividualEnrollment enrollment = Records.enrollment("dev-1", Records.symmetricKey());

        JsonNode written = AllocationRequestJson.write(new AllocationRequest(new RegisteringDevice(enrollment, null,
                new DeviceRuntimeContext("dev-1", null, null, new PresentedAttestation.SymmetricKey(), null)),
                List.of("hub-a")));

        assertThat(written.get("deviceRuntimeContext")).isEqualTo(parse("{\"registrationId\":\"dev-1\",\"symmetricKey\":{}}"));
        assertThat(written.at("/individualEnrollment/registrationId").asText()).isEqualTo("dev-1");
        assertThat(written.at("/individualEnrollment/attestation")).isEqualTo(parse("{\"type\":\"symmetricKey\"}"));
        assertThat(written.has("enrollmentGroup")).isFalse();
        assertThat(written.get("linkedHubs")).isEqualTo(parse("[\"hub-a\"]"));
    }

    @Test
    void anX509DeviceIsDescribedByItsCertificatesInfo() {
        X509CertificateInfo leaf = Records.certificateInfo("CN=dev-x");
        IndividualEnrollment enrollment = Records.enrollment("dev-x", Records.x509ClientCertificates());

        JsonNode written = AllocationRequestJson.write(new AllocationRequest(new RegisteringDevice(enrollment, null,
                new DeviceRuntimeContext("dev-x", null, null, new PresentedAttestation.X509(leaf), null)), List.of()));

        assertThat(written.at("/deviceRuntimeContext/x509/clientCertificate/info"))
                .isEqualTo(AttestationJson.writeInfo(leaf));
        assertThat(written.at("/individualEnrollment/attestation/x509/clientCertificates/primary/info").isObject()).isTrue();
        assertThat(Json.string(written)).doesNotContain("BEGIN CERTIFICATE").doesNotContain("\"certificate\"");
    }

    @Test
    void aTpmDeviceIsDescribedByItsPublicKeys() {
        IndividualEnrollment enrollment = Records.enrollment("dev-t", Records.tpm());

        JsonNode written = AllocationRequestJson.write(new AllocationRequest(new RegisteringDevice(enrollment, null,
                new DeviceRuntimeContext("dev-t", null, null, new PresentedAttestation.Tpm("RUs=", "U1JL"), null)),
                List.of()));

        assertThat(written.at("/deviceRuntimeContext/tpm")).isEqualTo(parse("{\"endorsementKey\":\"RUs=\",\"storageRootKey\":\"U1JL\"}"));
        assertThat(written.at("/individualEnrollment/attestation/type").asText()).isEqualTo("tpm");
    }

    @Test
    void onlyTheQueryOfTheWebhookUrlIsMasked() {
        assertThat(AllocationRequestJson.maskedQuery("https://h/api/f?code=k&x=1")).isEqualTo("https://h/api/f?****");
        assertThat(AllocationRequestJson.maskedQuery("http://127.0.0.1:7071/api/f")).isEqualTo("http://127.0.0.1:7071/api/f");
    }
}
