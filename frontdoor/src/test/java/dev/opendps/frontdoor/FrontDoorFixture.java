package dev.opendps.frontdoor;

import dev.opendps.api.ApiRequest;
import dev.opendps.api.ApiResponse;
import dev.opendps.app.ProvisioningApplication;
import dev.opendps.config.AppSettings;
import dev.opendps.config.Setting;
import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.SharedAccessPolicy;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.frontdoor.tls.FrontDoorTls;
import dev.opendps.testing.TestPki;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * A front door over a real registration core: the embedded store in a temporary folder, one provisioning instance
 * ({@value #HOST}) with two embedded hubs, a TLS server certificate for {@code localhost}/{@code 127.0.0.1} from a
 * test CA that clients trust through {@link #clientSslContext}, and the listeners on the given ports. Enrollments
 * are made through the service API, as an administrator would.
 */
public final class FrontDoorFixture implements AutoCloseable {
    public static final String HOST = "localhost";

    public final ProvisioningApplication application;
    public final ProvisioningInstance instance;
    public final DeviceGateway gateway;
    public final FrontDoor frontDoor;
    public final TestPki.Credential serverCa;

    /**
     * @param protocols the protocols to serve, made from the gateway and settings (e.g.
     *                  {@code Protocols::standard})
     */
    public FrontDoorFixture(Path dataDir, FrontDoorSettings settings,
                            java.util.function.BiFunction<DeviceGateway, FrontDoorSettings, List<TransportProtocol>> protocols)
            throws Exception {
        this(dataDir, Map.of(), settings, protocols);
    }

    /** With more app settings for the registration core. */
    public FrontDoorFixture(Path dataDir, Map<String, String> extraSettings, FrontDoorSettings settings,
                            java.util.function.BiFunction<DeviceGateway, FrontDoorSettings, List<TransportProtocol>> protocols)
            throws Exception {
        Map<String, String> all = new LinkedHashMap<>(extraSettings);
        all.put(Setting.DATA_DIR.key(), dataDir.toString());
        application = ProvisioningApplication.create(AppSettings.of(all), Clock.systemUTC());
        ProvisioningInstance created = application.instanceBootstrap().ensure(HOST, null);
        instance = application.instanceBootstrap().configureHubs(created, List.of(), AllocationPolicy.HASHED, 2);
        serverCa = TestPki.rootCa("OpenDPS front door test CA").issue();
        TestPki.Credential server = TestPki.device("localhost", serverCa)
                .extendedKeyUsage(TestPki.ExtendedKeyUsage.SERVER_AUTH)
                .keyUsage(TestPki.KeyUsage.DIGITAL_SIGNATURE, TestPki.KeyUsage.KEY_ENCIPHERMENT)
                .extension("2.5.29.17", false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1")}).getEncoded())
                .issue();
        SslContext tls = FrontDoorTls.of(server.privateKey(), server.certificate(), serverCa.certificate());
        gateway = FrontDoorMain.gateway(application);
        try {
            frontDoor = FrontDoor.start(settings, tls, protocols.apply(gateway, settings));
        } catch (Exception e) {
            gateway.close();
            application.close();
            throw e;
        }
    }

    /** Front door settings for tests: the defaults on 127.0.0.1 with these ports (0 turns a listener off). */
    public static FrontDoorSettings settings(int mqtt, int amqp, int webSocket) {
        return FrontDoorSettings.from(AppSettings.of(Map.of(FrontDoorSetting.BIND_ADDRESS.key(), "127.0.0.1")))
                .withPorts(mqtt, amqp, webSocket);
    }

    /**
     * A port free on 127.0.0.1 right now, for a listener (port 0 turns a listener off rather than picking one).
     * Another process could take it before the front door binds it; on a test machine that is rare.
     */
    public static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("No free port on 127.0.0.1", e);
        }
    }

    public String idScope() {
        return instance.idScope();
    }

    /** A client TLS context trusting the test CA, presenting {@code keyManagers} (none: no client certificate). */
    public SSLContext clientSslContext(KeyManager... keyManagers) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", serverCa.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.length == 0 ? null : keyManagers, factory.getTrustManagers(), null);
        return context;
    }

    /** Creates (or replaces) an individual enrollment from its service API JSON; fails unless the API accepts it. */
    public void enroll(String registrationId, String enrollmentJson) {
        ApiResponse response = application.serviceApi().individualEnrollment(
                serviceRequest("PUT", enrollmentJson), registrationId);
        if (response.status() >= 300) {
            throw new IllegalStateException("Enrollment " + registrationId + " refused: " + response.status() + " "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    /** An X.509 enrollment group whose signing certificate is {@code signer} (a root or an intermediate). */
    public void enrollX509Group(String groupId, TestPki.Credential signer) {
        enrollGroup(groupId, "{\"enrollmentGroupId\":\"" + groupId + "\",\"attestation\":{\"type\":\"x509\",\"x509\":"
                + "{\"signingCertificates\":{\"primary\":{\"certificate\":\""
                + signer.certificatePem().replace("\n", "\\n") + "\"}}}}}");
    }

    /** A symmetric-key enrollment group; returns its primary key (base64), from which devices derive theirs. */
    public String enrollSymmetricKeyGroup(String groupId) {
        String key = dev.opendps.domain.SymmetricKeys.generate();
        enrollGroup(groupId, "{\"enrollmentGroupId\":\"" + groupId + "\",\"attestation\":{\"type\":\"symmetricKey\","
                + "\"symmetricKey\":{\"primaryKey\":\"" + key + "\",\"secondaryKey\":\""
                + dev.opendps.domain.SymmetricKeys.generate() + "\"}}}");
        return key;
    }

    private void enrollGroup(String groupId, String json) {
        ApiResponse response = application.serviceApi().enrollmentGroup(serviceRequest("PUT", json), groupId);
        if (response.status() >= 300) {
            throw new IllegalStateException("Enrollment group " + groupId + " refused: " + response.status() + " "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    /** An individual symmetric-key enrollment; returns its primary key (base64). */
    public String enrollSymmetricKey(String registrationId) {
        String key = dev.opendps.domain.SymmetricKeys.generate();
        enroll(registrationId, "{\"registrationId\":\"" + registrationId + "\",\"attestation\":{\"type\":\"symmetricKey\","
                + "\"symmetricKey\":{\"primaryKey\":\"" + key + "\",\"secondaryKey\":\""
                + dev.opendps.domain.SymmetricKeys.generate() + "\"}}}");
        return key;
    }

    /** An individual X.509 enrollment holding the device's own (leaf) certificate. */
    public void enrollX509(String registrationId, TestPki.Credential device) {
        enroll(registrationId, "{\"registrationId\":\"" + registrationId + "\",\"attestation\":{\"type\":\"x509\","
                + "\"x509\":{\"clientCertificates\":{\"primary\":{\"certificate\":\""
                + device.certificatePem().replace("\n", "\\n") + "\"}}}}}");
    }

    /** An individual TPM enrollment with the device's endorsement key (base64 TPM2B_PUBLIC). */
    public void enrollTpm(String registrationId, String endorsementKey) {
        enroll(registrationId, "{\"registrationId\":\"" + registrationId + "\",\"attestation\":{\"type\":\"tpm\","
                + "\"tpm\":{\"endorsementKey\":\"" + endorsementKey + "\"}}}");
    }

    /** The device SAS token a symmetric-key device signs (§2.1), valid for an hour. */
    public String deviceToken(String registrationId, String key) {
        String resource = idScope() + "/registrations/" + registrationId;
        return SharedAccessSignature.sign(resource, SharedAccessSignature.decodeKey(key),
                Instant.now().plus(Duration.ofHours(1)), "registration");
    }

    /** What the store holds for the device now. */
    public Optional<DeviceRegistrationState> registration(String registrationId) {
        return application.stores().registrationStates().find(idScope(), registrationId);
    }

    private ApiRequest serviceRequest(String method, String json) {
        SharedAccessPolicy owner = instance.policy(SharedAccessPolicy.OWNER).orElseThrow();
        String token = SharedAccessSignature.sign(HOST, SharedAccessSignature.decodeKey(owner.primaryKey()),
                Instant.now().plus(Duration.ofHours(1)), owner.keyName());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", HOST);
        headers.put("Authorization", token);
        headers.put("Content-Type", "application/json; charset=utf-8");
        return new ApiRequest(method, headers, Map.of("api-version", "2021-10-01"),
                json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws Exception {
        frontDoor.close();
        gateway.close();
        application.close();
    }
}
