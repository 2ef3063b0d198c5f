package dev.opendps.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.adapters.DocumentCodec;
import dev.opendps.domain.AccessRight;
import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.CaCertificate;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.RegistrationOperation;
import dev.opendps.domain.RegistrationStatus;
import dev.opendps.domain.SharedAccessPolicy;
import dev.opendps.domain.TpmChallenge;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The documents stores keep: the DPS wire shapes plus what only the server sees (certificates, the group
 * of a registration). Stores put etags in their own column; documents carry them too so a record decodes
 * whole.
 */
public final class StorageCodecs {
    /** Where enrollments and groups keep symmetric keys (the attestation in its DPS wire shape). */
    private static final List<String> ATTESTATION_KEYS = List.of("attestation.symmetricKey.primaryKey",
            "attestation.symmetricKey.secondaryKey");

    private StorageCodecs() {
    }

    public static DocumentCodec<IndividualEnrollment> enrollments() {
        return codec(e -> EnrollmentJson.write(e, View.STORAGE), EnrollmentJson::readIndividual, ATTESTATION_KEYS);
    }

    public static DocumentCodec<EnrollmentGroup> enrollmentGroups() {
        return codec(g -> EnrollmentJson.write(g, View.STORAGE), EnrollmentJson::readGroup, ATTESTATION_KEYS);
    }

    public static DocumentCodec<DeviceRegistrationState> registrationStates() {
        return codec(s -> RegistrationStateJson.write(s, View.STORAGE), RegistrationStateJson::read);
    }

    /** Registered CA certificates: the PEM, its parsed info, the verified flag and any pending verification code. */
    public static DocumentCodec<CaCertificate> caCertificates() {
        return codec(CaCertificateJson::writeStored, CaCertificateJson::readStored);
    }

    public static DocumentCodec<RegistrationOperation> registrationOperations() {
        return codec(StorageCodecs::writeOperation, StorageCodecs::readOperation);
    }

    /** The challenge key is a secret: the device proves it holds it by signing with it. */
    public static DocumentCodec<TpmChallenge> tpmChallenges() {
        return codec(StorageCodecs::writeTpmChallenge, StorageCodecs::readTpmChallenge, List.of("key"));
    }

    public static DocumentCodec<ProvisioningInstance> instances() {
        return codec(StorageCodecs::writeInstance, StorageCodecs::readInstance, List.of(
                "authorizationPolicies[].primaryKey", "authorizationPolicies[].secondaryKey",
                "linkedHubs[].connectionString"));
    }

    /**
     * Device identities of the embedded hub registry, shaped as IoT Hub's registry and twin show them
     * (dps-protocol.md §7): {@code authentication} with {@code symmetricKey} or {@code x509Thumbprint},
     * {@code capabilities.iotEdge}, {@code status}, and the twin's {@code tags} and {@code properties.desired}.
     */
    public static DocumentCodec<HubDevice> hubDevices() {
        return codec(StorageCodecs::hubDeviceDocument, StorageCodecs::readHubDevice, List.of(
                "authentication.symmetricKey.primaryKey", "authentication.symmetricKey.secondaryKey"));
    }

    private static <T> DocumentCodec<T> codec(java.util.function.Function<T, ObjectNode> writer,
                                              java.util.function.Function<JsonNode, T> reader) {
        return codec(writer, reader, List.of());
    }

    /** {@code secretPaths}: see {@link DocumentCodec#secretPaths()}; a store's protection encrypts them. */
    private static <T> DocumentCodec<T> codec(java.util.function.Function<T, ObjectNode> writer,
                                              java.util.function.Function<JsonNode, T> reader,
                                              List<String> secretPaths) {
        List<String> secrets = List.copyOf(secretPaths);
        return new DocumentCodec<>() {
            @Override
            public List<String> secretPaths() {
                return secrets;
            }

            @Override
            public String encode(T record) {
                return Json.string(writer.apply(record));
            }

            @Override
            public T decode(String document) {
                return reader.apply(Json.parseStored(document));
            }
        };
    }

    private static ObjectNode writeOperation(RegistrationOperation operation) {
        ObjectNode node = Json.object();
        node.put("operationId", operation.operationId());
        node.put("registrationId", operation.registrationId());
        node.put("status", operation.status().wireName());
        if (operation.registrationState() != null) {
            node.set("registrationState", RegistrationStateJson.write(operation.registrationState(), View.STORAGE));
        }
        Fields.putIfNotNull(node, "expiresAtUtc", Timestamps.format(operation.expiresAtUtc()));
        EnrollmentJson.writeVersion(node, operation.version(), View.STORAGE);
        return node;
    }

    private static RegistrationOperation readOperation(JsonNode node) {
        JsonNode state = Fields.present(node, "registrationState");
        return new RegistrationOperation(
                Fields.string(node, "operationId"),
                Fields.string(node, "registrationId"),
                RegistrationStatus.fromWire(Fields.string(node, "status")),
                state == null ? null : RegistrationStateJson.read(state),
                Timestamps.parseOrNull(Fields.string(node, "expiresAtUtc")),
                EnrollmentJson.readVersion(node));
    }

    private static ObjectNode writeTpmChallenge(TpmChallenge challenge) {
        ObjectNode node = Json.object();
        node.put("registrationId", challenge.registrationId());
        node.put("storageRootKey", challenge.storageRootKey());
        node.put("key", challenge.key());
        Fields.putIfNotNull(node, "expiresAtUtc", Timestamps.format(challenge.expiresAtUtc()));
        EnrollmentJson.writeVersion(node, challenge.version(), View.STORAGE);
        return node;
    }

    private static TpmChallenge readTpmChallenge(JsonNode node) {
        return new TpmChallenge(
                Fields.string(node, "registrationId"),
                Fields.string(node, "storageRootKey"),
                Fields.string(node, "key"),
                Timestamps.parseOrNull(Fields.string(node, "expiresAtUtc")),
                EnrollmentJson.readVersion(node));
    }

    private static ObjectNode writeInstance(ProvisioningInstance instance) {
        ObjectNode node = Json.object();
        node.put("hostName", instance.hostName());
        node.put("idScope", instance.idScope());
        ArrayNode policies = node.putArray("authorizationPolicies");
        for (SharedAccessPolicy policy : instance.policies()) {
            ObjectNode p = policies.addObject();
            p.put("keyName", policy.keyName());
            p.put("primaryKey", policy.primaryKey());
            p.put("secondaryKey", policy.secondaryKey());
            ArrayNode rights = p.putArray("rights");
            policy.rights().stream().sorted().forEach(r -> rights.add(r.name()));
        }
        ArrayNode hubs = node.putArray("linkedHubs");
        for (LinkedHub hub : instance.linkedHubs()) {
            hubs.addObject().put("hostName", hub.hostName()).put("allocationWeight", hub.allocationWeight())
                    .put("applyAllocationPolicy", hub.applyAllocationPolicy())
                    .put("connectionString", hub.connectionString());
        }
        node.put("defaultAllocationPolicy", instance.defaultAllocationPolicy().wireName());
        Fields.putIfNotNull(node, "createdDateTimeUtc", Timestamps.format(instance.createdDateTimeUtc()));
        Fields.putIfNotNull(node, "etag", instance.etag());
        return node;
    }

    private static ProvisioningInstance readInstance(JsonNode node) {
        List<SharedAccessPolicy> policies = new ArrayList<>();
        for (JsonNode p : node.path("authorizationPolicies")) {
            Set<AccessRight> rights = EnumSet.noneOf(AccessRight.class);
            for (JsonNode r : p.path("rights")) {
                rights.add(AccessRight.valueOf(r.asText()));
            }
            policies.add(new SharedAccessPolicy(Fields.string(p, "keyName"), Fields.string(p, "primaryKey"),
                    Fields.string(p, "secondaryKey"), rights));
        }
        List<LinkedHub> hubs = new ArrayList<>();
        for (JsonNode h : node.path("linkedHubs")) {
            hubs.add(new LinkedHub(Fields.string(h, "hostName"), h.path("allocationWeight").asInt(1),
                    h.path("applyAllocationPolicy").asBoolean(true), Fields.string(h, "connectionString")));
        }
        String defaultPolicy = Fields.string(node, "defaultAllocationPolicy");
        return new ProvisioningInstance(
                Fields.string(node, "hostName"),
                Fields.string(node, "idScope"),
                policies,
                hubs,
                defaultPolicy == null ? AllocationPolicy.HASHED : AllocationPolicy.fromWire(defaultPolicy),
                Fields.string(node, "etag"),
                Timestamps.parseOrNull(Fields.string(node, "createdDateTimeUtc")));
    }

    /** A hub identity in the shape IoT Hub's registry shows it; the local registry view returns it as is. */
    public static ObjectNode hubDeviceDocument(HubDevice device) {
        ObjectNode node = Json.object();
        node.put("hubHostName", device.hubHostName());
        node.setAll(hubIdentityDocument(device));
        if (device.tags() != null) {
            node.set("tags", device.tags());
        }
        if (device.desiredProperties() != null) {
            node.putObject("properties").set("desired", device.desiredProperties());
        }
        EnrollmentJson.writeVersion(node, device.version(), View.STORAGE);
        return node;
    }

    /**
     * The registry part of a hub identity, without twin or version: {@code deviceId}, {@code authentication},
     * {@code capabilities} and {@code status}, as IoT Hub's {@code PUT /devices/{id}} takes it (§7 option B).
     */
    public static ObjectNode hubIdentityDocument(HubDevice device) {
        ObjectNode node = Json.object();
        node.put("deviceId", device.deviceId());
        HubDevice.Authentication authentication = device.authentication();
        if (authentication != null) {
            ObjectNode auth = node.putObject("authentication");
            Fields.putIfNotNull(auth, "type", authentication.type());
            if (authentication.primaryKey() != null || authentication.secondaryKey() != null) {
                ObjectNode keys = auth.putObject("symmetricKey");
                Fields.putIfNotNull(keys, "primaryKey", authentication.primaryKey());
                Fields.putIfNotNull(keys, "secondaryKey", authentication.secondaryKey());
            }
            if (authentication.primaryThumbprint() != null || authentication.secondaryThumbprint() != null) {
                ObjectNode thumbprints = auth.putObject("x509Thumbprint");
                Fields.putIfNotNull(thumbprints, "primaryThumbprint", authentication.primaryThumbprint());
                Fields.putIfNotNull(thumbprints, "secondaryThumbprint", authentication.secondaryThumbprint());
            }
        }
        node.putObject("capabilities").put("iotEdge", device.iotEdge());
        node.put("status", device.enabled() ? "enabled" : "disabled");
        return node;
    }

    /**
     * Reads a document of {@link #hubDeviceDocument}'s shape; the registry fields may come as IoT Hub sends
     * them (null thumbprints beside keys and the other way round).
     */
    public static HubDevice readHubDeviceDocument(JsonNode node) {
        return readHubDevice(node);
    }

    private static HubDevice readHubDevice(JsonNode node) {
        ObjectNode auth = Fields.object(node, "authentication");
        ObjectNode keys = Fields.object(auth, "symmetricKey");
        ObjectNode thumbprints = Fields.object(auth, "x509Thumbprint");
        HubDevice.Authentication authentication = auth == null ? null : new HubDevice.Authentication(
                Fields.string(auth, "type"),
                Fields.string(keys, "primaryKey"),
                Fields.string(keys, "secondaryKey"),
                Fields.string(thumbprints, "primaryThumbprint"),
                Fields.string(thumbprints, "secondaryThumbprint"));
        Boolean iotEdge = Fields.bool(Fields.object(node, "capabilities"), "iotEdge");
        String status = Fields.string(node, "status");
        if (status != null && !status.equals("enabled") && !status.equals("disabled")) {
            throw new IllegalArgumentException("status must be enabled or disabled");
        }
        return new HubDevice(
                Fields.string(node, "hubHostName"),
                Fields.string(node, "deviceId"),
                authentication,
                iotEdge != null && iotEdge,
                !"disabled".equals(status),
                Fields.present(node, "tags"),
                Fields.present(Fields.object(node, "properties"), "desired"),
                EnrollmentJson.readVersion(node));
    }
}
