package dev.opendps.domain.port;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.AccessRight;
import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.Attestation;
import dev.opendps.domain.CaCertificate;
import dev.opendps.domain.CustomAllocationDefinition;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.EnrollmentSettings;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.ProvisioningStatus;
import dev.opendps.domain.RecordVersion;
import dev.opendps.domain.RegistrationOperation;
import dev.opendps.domain.RegistrationStatus;
import dev.opendps.domain.ReprovisionPolicy;
import dev.opendps.domain.SharedAccessPolicy;
import dev.opendps.domain.SymmetricKeyAttestation;
import dev.opendps.domain.TpmAttestation;
import dev.opendps.domain.TpmChallenge;
import dev.opendps.domain.X509Attestation;
import dev.opendps.domain.X509Attestation.CaReferences;
import dev.opendps.domain.X509Attestation.CertificateEntry;
import dev.opendps.domain.X509Attestation.X509Certificates;
import dev.opendps.domain.X509CertificateInfo;
import dev.opendps.domain.X509RegistrationResult;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Records for the store contracts with every field set (and set away from its default), so that a store or
 * codec that drops or defaults a field fails a round trip. Times have millisecond precision, which every
 * store keeps. Keys and certificates are made up.
 */
public final class Records {
    public static final Instant CREATED = Instant.parse("2024-03-01T08:30:15.123Z");
    public static final Instant UPDATED = Instant.parse("2024-03-02T09:45:00.456Z");
    /** Far enough ahead that no test's clean-up of expired operations touches it. */
    public static final Instant FAR_FUTURE = Instant.parse("2099-12-31T23:59:59.999Z");

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Records() {
    }

    /** A version as the services set it before the first write: timestamps, no etag yet. */
    public static RecordVersion version() {
        return new RecordVersion(null, CREATED, UPDATED);
    }

    // --- attestations -----------------------------------------------------------------------------------

    public static SymmetricKeyAttestation symmetricKey() {
        return new SymmetricKeyAttestation("cHJpbWFyeS1rZXktZm9yLXN0b3JlLWNvbnRyYWN0LXRlc3Q=",
                "c2Vjb25kYXJ5LWtleS1mb3Itc3RvcmUtY29udHJhY3QtdGVzdA==");
    }

    public static TpmAttestation tpm() {
        return new TpmAttestation("AToAAQALAAMAsgAgg3GXZ0SEs/gakMyNRqXXJP1S124GUgtk8qHaGzMUaaoABgCAAEMAEAgAAAAAAAEA",
                "AToAAQALAAMAsgAgNYnbvc0vACkHdvUCXfeaHAf7yHLn58EMXMDXJ9/c4ZsABgCAAEMAEAgAAAAAAAEA");
    }

    /** Client certificates, as an individual enrollment has them. */
    public static X509Attestation x509ClientCertificates() {
        return new X509Attestation(certificates("device-1"), null, null);
    }

    /** Signing certificates, as an enrollment group has them. */
    public static X509Attestation x509SigningCertificates() {
        return new X509Attestation(null, certificates("intermediate-ca"), null);
    }

    /** References to CA certificates of the instance, as an enrollment group may have them. */
    public static X509Attestation x509CaReferences() {
        return new X509Attestation(null, null, new CaReferences("root-ca-primary", "root-ca-secondary"));
    }

    private static X509Certificates certificates(String subject) {
        return new X509Certificates(
                new CertificateEntry(pem(subject + "-primary"), certificateInfo(subject + "-primary")),
                new CertificateEntry(pem(subject + "-secondary"), certificateInfo(subject + "-secondary")));
    }

    private static String pem(String name) {
        return "-----BEGIN CERTIFICATE-----\nTUlJQi1maWN0aXRpb3VzLQ" + name + "\n-----END CERTIFICATE-----\n";
    }

    public static X509CertificateInfo certificateInfo(String subject) {
        return new X509CertificateInfo("CN=" + subject, "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678",
                "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF", "CN=Test Root CA",
                Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2034-01-01T00:00:00Z"), "0A1B2C3D", 3);
    }

    // --- enrollments ------------------------------------------------------------------------------------

    /** {@code {"tags":{counter, site},"properties":{"desired":{…}}}}; the counter serves concurrency tests. */
    public static ObjectNode initialTwin(int counter) {
        ObjectNode twin = JSON.objectNode();
        twin.putObject("tags").put("counter", counter).put("site", "plant-7");
        ObjectNode desired = twin.putObject("properties").putObject("desired");
        desired.put("telemetryIntervalSeconds", 30).put("verbose", true);
        desired.putArray("features").add("ota").add("metrics");
        return twin;
    }

    public static EnrollmentSettings settings(Attestation attestation) {
        return new EnrollmentSettings(attestation, true, "hub-b.azure-devices.net", initialTwin(0),
                ProvisioningStatus.DISABLED, new ReprovisionPolicy(false, true), AllocationPolicy.CUSTOM,
                List.of("hub-a.azure-devices.net", "hub-b.azure-devices.net"),
                new CustomAllocationDefinition("https://allocator.example.net/api/allocate?code=not-a-real-key",
                        "2021-10-01"));
    }

    public static EnrollmentSettings withInitialTwin(EnrollmentSettings s, JsonNode twin) {
        return new EnrollmentSettings(s.attestation(), s.iotEdge(), s.iotHubHostName(), twin, s.provisioningStatus(),
                s.reprovisionPolicy(), s.allocationPolicy(), s.iotHubs(), s.customAllocationDefinition());
    }

    public static EnrollmentSettings withIotHubs(EnrollmentSettings s, List<String> iotHubs) {
        return new EnrollmentSettings(s.attestation(), s.iotEdge(), s.iotHubHostName(), s.initialTwin(),
                s.provisioningStatus(), s.reprovisionPolicy(), s.allocationPolicy(), iotHubs,
                s.customAllocationDefinition());
    }

    public static int twinCounter(EnrollmentSettings settings) {
        return settings.initialTwin().path("tags").path("counter").intValue();
    }

    public static EnrollmentSettings withTwinCounter(EnrollmentSettings settings, int counter) {
        ObjectNode twin = settings.initialTwin().deepCopy();
        ((ObjectNode) twin.get("tags")).put("counter", counter);
        return withInitialTwin(settings, twin);
    }

    public static IndividualEnrollment enrollment(String registrationId, Attestation attestation) {
        ObjectNode deviceInformation = JSON.objectNode().put("model", "thermostat-x2").put("firmware", "1.4.2");
        return new IndividualEnrollment(registrationId, registrationId + "-device", deviceInformation,
                settings(attestation), version());
    }

    public static IndividualEnrollment enrollment(String registrationId) {
        return enrollment(registrationId, symmetricKey());
    }

    /** Only what an enrollment must have: the store must not invent the rest. */
    public static IndividualEnrollment minimalEnrollment(String registrationId) {
        return new IndividualEnrollment(registrationId, null, null,
                new EnrollmentSettings(symmetricKey(), false, null, null, null, null, null, null, null),
                RecordVersion.NONE);
    }

    public static EnrollmentGroup enrollmentGroup(String enrollmentGroupId, Attestation attestation) {
        return new EnrollmentGroup(enrollmentGroupId, settings(attestation), version());
    }

    public static EnrollmentGroup enrollmentGroup(String enrollmentGroupId) {
        return enrollmentGroup(enrollmentGroupId, x509SigningCertificates());
    }

    // --- registrations ----------------------------------------------------------------------------------

    /** A registration made through {@code enrollmentGroupId} (null: through an individual enrollment). */
    public static DeviceRegistrationState registrationState(String registrationId, String enrollmentGroupId) {
        return new DeviceRegistrationState(registrationId, registrationId + "-device", "hub-a.azure-devices.net",
                RegistrationStatus.ASSIGNED, "reprovisionedToInitialAssignment", 400209,
                "The previous hub refused the device.", payload(0), enrollmentGroupId, "x509",
                new X509RegistrationResult(certificateInfo(registrationId), certificateInfo("Signing CA")),
                "AAEC", "hub-b.azure-devices.net", version());
    }

    public static ObjectNode payload(int counter) {
        ObjectNode payload = JSON.objectNode().put("counter", counter);
        payload.putObject("allocation").put("reason", "weighted").putArray("candidates").add("hub-a").add("hub-b");
        return payload;
    }

    public static DeviceRegistrationState withPayload(DeviceRegistrationState s, JsonNode payload) {
        return new DeviceRegistrationState(s.registrationId(), s.deviceId(), s.assignedHub(), s.status(),
                s.substatus(), s.errorCode(), s.errorMessage(), payload, s.enrollmentGroupId(), s.attestationType(),
                s.x509(), s.tpmAuthenticationKey(), s.initialHub(), s.version());
    }

    public static DeviceRegistrationState withEnrollmentGroupId(DeviceRegistrationState s, String groupId) {
        return new DeviceRegistrationState(s.registrationId(), s.deviceId(), s.assignedHub(), s.status(),
                s.substatus(), s.errorCode(), s.errorMessage(), s.payload(), groupId, s.attestationType(),
                s.x509(), s.tpmAuthenticationKey(), s.initialHub(), s.version());
    }

    public static DeviceRegistrationState withAssignment(DeviceRegistrationState s, String hub,
                                                         RegistrationStatus status) {
        return new DeviceRegistrationState(s.registrationId(), s.deviceId(), hub, status, s.substatus(),
                s.errorCode(), s.errorMessage(), s.payload(), s.enrollmentGroupId(), s.attestationType(),
                s.x509(), s.tpmAuthenticationKey(), s.initialHub(), s.version());
    }

    public static int payloadCounter(DeviceRegistrationState state) {
        return state.payload().path("counter").intValue();
    }

    public static DeviceRegistrationState withPayloadCounter(DeviceRegistrationState state, int counter) {
        ObjectNode payload = state.payload().deepCopy();
        payload.put("counter", counter);
        return withPayload(state, payload);
    }

    public static RegistrationOperation registrationOperation(String operationId, Instant expiresAtUtc) {
        return new RegistrationOperation(operationId, operationId + "-registration", RegistrationStatus.ASSIGNED,
                registrationState(operationId + "-registration", "group-of-" + operationId), expiresAtUtc,
                version());
    }

    public static RegistrationOperation registrationOperation(String operationId) {
        return registrationOperation(operationId, FAR_FUTURE);
    }

    public static RegistrationOperation withState(RegistrationOperation o, RegistrationStatus status,
                                                  DeviceRegistrationState state) {
        return new RegistrationOperation(o.operationId(), o.registrationId(), status, state, o.expiresAtUtc(),
                o.version());
    }

    // --- CA certificates --------------------------------------------------------------------------------

    /** A registered CA certificate awaiting proof of possession: not verified, a verification code pending. */
    public static CaCertificate caCertificate(String name) {
        return new CaCertificate(name, pem(name), certificateInfo(name), false, verificationCode(0), version());
    }

    /** A verification code as DPS makes them (48 upper-case hex digits) that holds a number for concurrency tests. */
    public static String verificationCode(int counter) {
        return String.format("%048X", counter);
    }

    // --- TPM challenges ---------------------------------------------------------------------------------

    public static TpmChallenge tpmChallenge(String registrationId, Instant expiresAtUtc) {
        return new TpmChallenge(registrationId, "ARoAAQALAAMAcgAAAAYAgABDABAIAAAAAAABAA==",
                "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=", expiresAtUtc, version());
    }

    public static TpmChallenge tpmChallenge(String registrationId) {
        return tpmChallenge(registrationId, FAR_FUTURE);
    }

    // --- instances --------------------------------------------------------------------------------------

    public static ProvisioningInstance instance(String hostName, String idScope) {
        return new ProvisioningInstance(hostName, idScope, List.of(
                new SharedAccessPolicy(SharedAccessPolicy.OWNER, "b3duZXItcHJpbWFyeS1rZXktZm9yLXRlc3Rz",
                        "b3duZXItc2Vjb25kYXJ5LWtleS1mb3ItdGVzdHM=", EnumSet.allOf(AccessRight.class)),
                new SharedAccessPolicy("enrollmentreader", "cmVhZGVyLXByaW1hcnkta2V5LWZvci10ZXN0cw==",
                        "cmVhZGVyLXNlY29uZGFyeS1rZXktZm9yLXRlc3Rz",
                        Set.of(AccessRight.EnrollmentRead, AccessRight.RegistrationStatusRead))),
                List.of(new LinkedHub("hub-a.azure-devices.net", 1, true,
                                "HostName=hub-a.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=aHViLWEta2V5"),
                        new LinkedHub("hub-b.azure-devices.net", 250, false,
                                "HostName=hub-b.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=aHViLWIta2V5")),
                AllocationPolicy.STATIC, null, CREATED);
    }

    public static ProvisioningInstance withPolicies(ProvisioningInstance i, List<SharedAccessPolicy> policies) {
        return i.withPolicies(policies);
    }

    public static ProvisioningInstance withHostName(ProvisioningInstance i, String hostName) {
        return new ProvisioningInstance(hostName, i.idScope(), i.policies(), i.linkedHubs(),
                i.defaultAllocationPolicy(), i.etag(), i.createdDateTimeUtc());
    }
}
