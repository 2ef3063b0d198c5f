package dev.opendps.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.SymmetricKeyAttestation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Golden JSON from dps-protocol.md §4.4 read into the domain and written back unchanged. */
class EnrollmentJsonTest {
    private static final String SPEC_EXAMPLE = "{\"registrationId\":\"dev-001\",\"deviceId\":\"dev-001\","
            + "\"attestation\":{\"type\":\"symmetricKey\",\"symmetricKey\":{\"primaryKey\":\"q3Y=\",\"secondaryKey\":\"Zt9=\"}},"
            + "\"capabilities\":{\"iotEdge\":false},\"initialTwin\":{\"tags\":{\"site\":\"a\"},\"properties\":{\"desired\":{\"fw\":\"1.0\"}}},"
            + "\"provisioningStatus\":\"enabled\",\"reprovisionPolicy\":{\"updateHubAssignment\":true,\"migrateDeviceData\":true},"
            + "\"allocationPolicy\":\"hashed\",\"iotHubs\":[\"hub1.azure-devices.net\"],"
            + "\"createdDateTimeUtc\":\"2023-01-17T10:00:00.1234567Z\",\"lastUpdatedDateTimeUtc\":\"2023-01-17T10:00:00.1234567Z\","
            + "\"etag\":\"\\\"00000000-0000-0000-0000-000000000000\\\"\"}";

    private static JsonNode parse(String json) {
        return Json.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theSpecExampleRoundTripsExactly() {
        IndividualEnrollment enrollment = EnrollmentJson.readIndividual(parse(SPEC_EXAMPLE));

        assertThat(enrollment.settings().allocationPolicy()).isEqualTo(AllocationPolicy.HASHED);
        assertThat(((SymmetricKeyAttestation) enrollment.settings().attestation()).primaryKey()).isEqualTo("q3Y=");
        assertThat(enrollment.etag()).isEqualTo("00000000-0000-0000-0000-000000000000");
        assertThat(EnrollmentJson.write(enrollment, View.API)).isEqualTo(parse(SPEC_EXAMPLE));
    }

    @Test
    void timestampsHaveSevenFractionDigitsAndZ() {
        assertThat(Timestamps.format(Instant.parse("2020-04-10T03:11:13.0276997Z"))).isEqualTo("2020-04-10T03:11:13.0276997Z");
        assertThat(Timestamps.format(Instant.parse("2020-04-10T03:11:13Z"))).isEqualTo("2020-04-10T03:11:13.0000000Z");
    }

    @Test
    void etagsAreComparedWithoutQuotesOrWeakPrefix() {
        assertThat(ETags.unquote("\"abc\"")).isEqualTo("abc");
        assertThat(ETags.unquote("W/\"abc\"")).isEqualTo("abc");
        assertThat(ETags.unquote("abc")).isEqualTo("abc");
        assertThat(ETags.unquote("*")).isEqualTo("*");
        assertThat(ETags.unquote("  ")).isNull();
    }

    @Test
    void twinMetadataIsDroppedAndOtherDollarNamesRefused() {
        JsonNode twin = parse("{\"tags\":{\"a\":1,\"$metadata\":{},\"$version\":3},\"properties\":{\"desired\":{\"b\":2}}}");
        assertThat(InitialTwinJson.normalize((com.fasterxml.jackson.databind.node.ObjectNode) twin))
                .isEqualTo(parse("{\"tags\":{\"a\":1},\"properties\":{\"desired\":{\"b\":2}}}"));
        assertThatThrownBy(() -> InitialTwinJson.normalize(
                (com.fasterxml.jackson.databind.node.ObjectNode) parse("{\"tags\":{\"$x\":1}}")))
                .isInstanceOf(ProvisioningException.class);
    }

    @Test
    void geoLatencyIsReadInAnyCase() {
        IndividualEnrollment enrollment = EnrollmentJson.readIndividual(parse(
                "{\"registrationId\":\"d\",\"attestation\":{\"type\":\"symmetricKey\"},\"allocationPolicy\":\"geolatency\"}"));
        assertThat(enrollment.settings().allocationPolicy()).isEqualTo(AllocationPolicy.GEO_LATENCY);
    }
}
