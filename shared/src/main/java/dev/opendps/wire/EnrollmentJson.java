package dev.opendps.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.CustomAllocationDefinition;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.EnrollmentSettings;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.ProvisioningStatus;
import dev.opendps.domain.RecordVersion;
import dev.opendps.domain.ReprovisionPolicy;

/**
 * IndividualEnrollment and EnrollmentGroup as JSON (dps-protocol.md §4.4). Reading ignores unknown and
 * server-set fields of requests; the storage view keeps the version and the certificates.
 */
public final class EnrollmentJson {
    private EnrollmentJson() {
    }

    public static IndividualEnrollment readIndividual(JsonNode node) {
        return new IndividualEnrollment(
                Fields.string(node, "registrationId"),
                Fields.string(node, "deviceId"),
                Fields.object(node, "optionalDeviceInformation"),
                readSettings(node),
                readVersion(node));
    }

    public static EnrollmentGroup readGroup(JsonNode node) {
        return new EnrollmentGroup(Fields.string(node, "enrollmentGroupId"), readSettings(node), readVersion(node));
    }

    public static ObjectNode write(IndividualEnrollment enrollment, View view) {
        ObjectNode node = Json.object();
        node.put("registrationId", enrollment.registrationId());
        Fields.putIfNotNull(node, "deviceId", enrollment.deviceId());
        writeSettings(node, enrollment.settings(), view);
        if (enrollment.optionalDeviceInformation() != null) {
            node.set("optionalDeviceInformation", enrollment.optionalDeviceInformation());
        }
        writeVersion(node, enrollment.version(), view);
        return node;
    }

    public static ObjectNode write(EnrollmentGroup group, View view) {
        ObjectNode node = Json.object();
        node.put("enrollmentGroupId", group.enrollmentGroupId());
        writeSettings(node, group.settings(), view);
        writeVersion(node, group.version(), view);
        return node;
    }

    private static EnrollmentSettings readSettings(JsonNode node) {
        ObjectNode capabilities = Fields.object(node, "capabilities");
        Boolean iotEdge = Fields.bool(capabilities, "iotEdge");
        ObjectNode twin = Fields.object(node, "initialTwin");
        String status = Fields.string(node, "provisioningStatus");
        String policy = Fields.string(node, "allocationPolicy");
        return new EnrollmentSettings(
                AttestationJson.read(node.get("attestation")),
                iotEdge != null && iotEdge,
                Fields.string(node, "iotHubHostName"),
                twin == null ? null : InitialTwinJson.normalize(twin),
                status == null ? ProvisioningStatus.ENABLED : ProvisioningStatus.fromWire(status),
                readReprovisionPolicy(Fields.object(node, "reprovisionPolicy")),
                policy == null || policy.isEmpty() ? null : AllocationPolicy.fromWire(policy),
                Fields.stringList(node, "iotHubs"),
                readCustomAllocation(Fields.object(node, "customAllocationDefinition")));
    }

    private static ReprovisionPolicy readReprovisionPolicy(ObjectNode node) {
        if (node == null) {
            return ReprovisionPolicy.DEFAULT;
        }
        Boolean update = Fields.bool(node, "updateHubAssignment");
        Boolean migrate = Fields.bool(node, "migrateDeviceData");
        return new ReprovisionPolicy(update == null || update, migrate == null || migrate);
    }

    private static CustomAllocationDefinition readCustomAllocation(ObjectNode node) {
        if (node == null) {
            return null;
        }
        return new CustomAllocationDefinition(Fields.string(node, "webhookUrl"), Fields.string(node, "apiVersion"));
    }

    private static void writeSettings(ObjectNode node, EnrollmentSettings settings, View view) {
        node.set("attestation", AttestationJson.write(settings.attestation(), view));
        node.putObject("capabilities").put("iotEdge", settings.iotEdge());
        Fields.putIfNotNull(node, "iotHubHostName", settings.iotHubHostName());
        if (settings.initialTwin() != null) {
            node.set("initialTwin", settings.initialTwin());
        }
        node.put("provisioningStatus", settings.provisioningStatus().wireName());
        ObjectNode reprovision = node.putObject("reprovisionPolicy");
        reprovision.put("updateHubAssignment", settings.reprovisionPolicy().updateHubAssignment());
        reprovision.put("migrateDeviceData", settings.reprovisionPolicy().migrateDeviceData());
        if (settings.allocationPolicy() != null) {
            node.put("allocationPolicy", settings.allocationPolicy().wireName());
        }
        if (!settings.iotHubs().isEmpty()) {
            ArrayNode hubs = node.putArray("iotHubs");
            settings.iotHubs().forEach(hubs::add);
        }
        CustomAllocationDefinition custom = settings.customAllocationDefinition();
        if (custom != null) {
            ObjectNode c = node.putObject("customAllocationDefinition");
            c.put("webhookUrl", custom.webhookUrl());
            c.put("apiVersion", custom.apiVersion());
        }
    }

    static RecordVersion readVersion(JsonNode node) {
        return new RecordVersion(
                ETags.unquote(Fields.present(node, "etag") == null ? null : node.get("etag").asText()),
                Timestamps.parseOrNull(textOrNull(node, "createdDateTimeUtc")),
                Timestamps.parseOrNull(textOrNull(node, "lastUpdatedDateTimeUtc")));
    }

    static void writeVersion(ObjectNode node, RecordVersion version, View view) {
        Fields.putIfNotNull(node, "createdDateTimeUtc", Timestamps.format(version.createdDateTimeUtc()));
        Fields.putIfNotNull(node, "lastUpdatedDateTimeUtc", Timestamps.format(version.lastUpdatedDateTimeUtc()));
        if (version.etag() != null) {
            node.put("etag", view == View.API ? ETags.quote(version.etag()) : version.etag());
        }
    }

    /** Server-set fields are ignored on requests, whatever their type, so a client echoing them never fails. */
    private static String textOrNull(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value != null && value.isTextual() ? value.asText() : null;
    }

}
