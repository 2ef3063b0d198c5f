package dev.opendps.frontdoor.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.RegistrationStatus;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.frontdoor.FrontDoorFixture;
import dev.opendps.frontdoor.Protocols;
import dev.opendps.frontdoor.mqtt.RawMqttClient.Answer;
import dev.opendps.testing.LogCapture;
import dev.opendps.testing.TestPki;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device registration over MQTT 3.1.1 (dps-protocol.md §3.1) at the packet level, against a front door over the
 * real registration core: a client made of Netty's codec sends exactly what the SDKs send (sdk-wire-notes.md
 * "Device registration over MQTT"), and what a broken or hostile client might.
 */
class MqttRegistrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REGISTER = "$dps/registrations/PUT/iotdps-register/?$rid=";
    private static final String POLL = "$dps/registrations/GET/iotdps-get-operationstatus/?$rid=";

    @TempDir
    static Path dataDir;

    static FrontDoorFixture dps;
    static SslContext trust;

    @BeforeAll
    static void start() throws Exception {
        dps = new FrontDoorFixture(dataDir, FrontDoorFixture.settings(FrontDoorFixture.freePort(), 0,
                FrontDoorFixture.freePort()), Protocols::standard);
        trust = SslContextBuilder.forClient().trustManager(dps.serverCa.certificate()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    // --- helpers ----------------------------------------------------------------------------------------

    private static RawMqttClient client() throws Exception {
        return RawMqttClient.tls(dps.frontDoor.port("mqtt"), trust);
    }

    /** The username the SDKs send; only the part before {@code /api-version=} means anything. */
    private static String username(String registrationId) {
        return dps.idScope() + "/registrations/" + registrationId
                + "/api-version=2019-03-31&ClientVersion=azure-iot-provisioning-device%2F1.9.1";
    }

    /** Connected (CONNACK accepted) and subscribed to the answers at QoS 1, as Node and C do. */
    private static RawMqttClient connected(String registrationId, String password) throws Exception {
        RawMqttClient client = client();
        assertThat(client.connect(registrationId, username(registrationId), password, true, 180))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(client.subscribe("$dps/registrations/res/#", MqttQoS.AT_LEAST_ONCE)).isEqualTo(1);
        return client;
    }

    private static RawMqttClient symmetricKeyDevice(String registrationId) throws Exception {
        String key = dps.enrollSymmetricKey(registrationId);
        return connected(registrationId, dps.deviceToken(registrationId, key));
    }

    private static JsonNode json(String body) throws Exception {
        return JSON.readTree(body);
    }

    private static void assertDpsError(Answer answer, int errorCode) throws Exception {
        JsonNode error = json(answer.body());
        assertThat(error.path("errorCode").asInt()).as(answer.body()).isEqualTo(errorCode);
        assertThat(error.path("trackingId").asText()).isNotBlank();
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.has("timestampUtc")).isTrue();
    }

    private static SslContext clientCertificate(TestPki.Credential leaf) throws Exception {
        return SslContextBuilder.forClient().trustManager(dps.serverCa.certificate())
                .keyManager(leaf.privateKey(), leaf.certificate()).build();
    }

    // --- the flows of the SDKs ----------------------------------------------------------------------------

    @Test
    void aSymmetricKeyDeviceRegistersAndPollsWithItsRequestIdsEchoed() throws Exception {
        try (RawMqttClient device = symmetricKeyDevice("mqtt-sym-1")) {
            String rid = UUID.randomUUID().toString();
            device.publish(REGISTER + rid, MqttQoS.AT_LEAST_ONCE, "{\"registrationId\":\"mqtt-sym-1\"}");

            MqttMessage ack = device.next(Duration.ofSeconds(10));
            assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
            Answer registered = device.answer();
            assertThat(registered.topic()).isEqualTo("$dps/registrations/res/202/?$rid=" + rid + "&retry-after=3");
            assertThat(registered.qos()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
            JsonNode operation = json(registered.body());
            String operationId = operation.path("operationId").asText();
            assertThat(operationId).isNotBlank();
            assertThat(operation.path("status").asText()).isEqualTo("assigned");
            JsonNode state = operation.path("registrationState");
            assertThat(state.path("registrationId").asText()).isEqualTo("mqtt-sym-1");
            assertThat(state.path("deviceId").asText()).isEqualTo("mqtt-sym-1");
            assertThat(state.path("assignedHub").asText()).isNotBlank();
            assertThat(state.path("substatus").asText()).isEqualTo("initialAssignment");
            assertThat(state.has("etag")).isTrue();

            // Java polls with QoS 0 and counting request ids, and no payload.
            device.publish(POLL + "2&operationId=" + operationId, MqttQoS.AT_MOST_ONCE, new byte[0], 0);
            Answer polled = device.answer();
            assertThat(polled.topic()).isEqualTo("$dps/registrations/res/200/?$rid=2");
            assertThat(json(polled.body()).path("operationId").asText()).isEqualTo(operationId);
            assertThat(json(polled.body()).path("registrationState").path("assignedHub").asText())
                    .isEqualTo(state.path("assignedHub").asText());

            DeviceRegistrationState stored = dps.registration("mqtt-sym-1").orElseThrow();
            assertThat(stored.status()).isEqualTo(RegistrationStatus.ASSIGNED);
            assertThat(stored.assignedHub()).isEqualTo(state.path("assignedHub").asText());
        }
    }

    @Test
    void aRegisterWithoutPayloadAsCSharpSendsItRegistersTheDeviceOfTheConnection() throws Exception {
        try (RawMqttClient device = symmetricKeyDevice("mqtt-empty-body")) {
            device.publish(REGISTER + "1", MqttQoS.AT_LEAST_ONCE, new byte[0], 9);

            Answer registered = device.answer();

            assertThat(registered.topic()).isEqualTo("$dps/registrations/res/202/?$rid=1&retry-after=3");
            assertThat(json(registered.body()).path("status").asText()).isEqualTo("assigned");
            assertThat(dps.registration("mqtt-empty-body")).isPresent();
        }
    }

    @Test
    void anX509DeviceAuthenticatesWithItsTlsClientCertificate() throws Exception {
        TestPki.Credential leaf = TestPki.device("mqtt-x509-1").selfSigned().issue();
        dps.enrollX509("mqtt-x509-1", leaf);

        try (RawMqttClient device = RawMqttClient.tls(dps.frontDoor.port("mqtt"), clientCertificate(leaf))) {
            assertThat(device.connect("mqtt-x509-1", username("mqtt-x509-1"), null, true, 60))
                    .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            device.subscribe("$dps/registrations/res/#", MqttQoS.AT_MOST_ONCE);
            device.publish(REGISTER + "1", MqttQoS.AT_MOST_ONCE, "{\"registrationId\":\"mqtt-x509-1\"}");

            Answer registered = device.answer();

            assertThat(registered.topic()).startsWith("$dps/registrations/res/202/?$rid=1");
            assertThat(registered.qos()).as("answers go out at the granted QoS").isEqualTo(MqttQoS.AT_MOST_ONCE);
            JsonNode state = json(registered.body()).path("registrationState");
            assertThat(state.path("status").asText()).isEqualTo("assigned");
            assertThat(state.path("x509").path("certificateInfo").path("subjectName").asText()).contains("mqtt-x509-1");
        }
        assertThat(dps.registration("mqtt-x509-1").orElseThrow().attestationType()).isEqualTo("x509");
    }

    @Test
    void anX509GroupDeviceIsAdmittedByTheChainItPresentsInTheHandshake() throws Exception {
        TestPki.Credential root = TestPki.rootCa("MQTT Test Root").issue();
        TestPki.Credential intermediate = TestPki.intermediateCa("MQTT Test Intermediate", root).issue();
        dps.enrollX509Group("mqtt-x509-group", intermediate);
        TestPki.Credential leaf = TestPki.device("mqtt-x509-group-device", intermediate).issue();
        SslContext presentingChain = SslContextBuilder.forClient().trustManager(dps.serverCa.certificate())
                .keyManager(leaf.privateKey(), leaf.certificate(), intermediate.certificate()).build();

        try (RawMqttClient device = RawMqttClient.tls(dps.frontDoor.port("mqtt"), presentingChain)) {
            assertThat(device.connect("mqtt-x509-group-device", username("mqtt-x509-group-device"), null, true, 60))
                    .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            device.subscribe("$dps/registrations/res/#", MqttQoS.AT_LEAST_ONCE);
            device.publish(REGISTER + "1", MqttQoS.AT_LEAST_ONCE, "{\"registrationId\":\"mqtt-x509-group-device\"}");

            JsonNode state = json(device.answer().body()).path("registrationState");

            assertThat(state.path("status").asText()).isEqualTo("assigned");
            assertThat(state.path("x509").path("enrollmentGroupId").asText()).isEqualTo("mqtt-x509-group");
        }
    }

    @Test
    void cleanSessionZeroAsJavaSendsItIsAcceptedAndNoSessionIsKept() throws Exception {
        String key = dps.enrollSymmetricKey("mqtt-java-style");
        try (RawMqttClient device = client()) {
            assertThat(device.connect("mqtt-java-style", dps.idScope() + "/registrations/mqtt-java-style"
                    + "/api-version=2019-03-31&ClientVersion=2019-03-31",
                    dps.deviceToken("mqtt-java-style", key), false, 230))
                    .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            assertThat(device.sessionPresent()).isFalse();
            device.subscribe("$dps/registrations/res/#", MqttQoS.AT_LEAST_ONCE);
            device.publish(REGISTER + "1", MqttQoS.AT_MOST_ONCE, "{\"registrationId\":\"mqtt-java-style\",\"payload\":null}");

            assertThat(device.answer().topic()).isEqualTo("$dps/registrations/res/202/?$rid=1&retry-after=3");
        }
    }

    @Test
    void aPollPublishedBeforeTheRegistersAnswerIsAnsweredAfterIt() throws Exception {
        try (RawMqttClient device = symmetricKeyDevice("mqtt-pipelined")) {
            device.publish(REGISTER + "a", MqttQoS.AT_MOST_ONCE, "{}");
            device.publish(POLL + "b&operationId=4.0000000000000000.none", MqttQoS.AT_MOST_ONCE, "");

            Answer first = device.answer();
            Answer second = device.answer();

            assertThat(first.topic()).startsWith("$dps/registrations/res/202/?$rid=a");
            assertThat(second.topic()).isEqualTo("$dps/registrations/res/404/?$rid=b");
            assertDpsError(second, 404204);
        }
    }

    // --- credentials ------------------------------------------------------------------------------------

    @Test
    void aSasTokenThatIsMalformedExpiredOrForAnotherDeviceIsRefusedAtConnectAndNothingIsStored() throws Exception {
        String key = dps.enrollSymmetricKey("mqtt-bad-sas");
        String expired = SharedAccessSignature.sign(dps.idScope() + "/registrations/mqtt-bad-sas",
                SharedAccessSignature.decodeKey(key), Instant.now().minus(Duration.ofHours(1)), "registration");
        String otherDevice = dps.deviceToken("mqtt-someone-else", key);

        try (LogCapture logs = LogCapture.of(MqttSession.class, dev.opendps.api.ApiCall.class)) {
            for (String password : new String[] {"not a token", expired, otherDevice}) {
                try (RawMqttClient device = client()) {
                    assertThat(device.connect("mqtt-bad-sas", username("mqtt-bad-sas"), password, true, 60))
                            .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
                    assertThat(device.awaitClosed(Duration.ofSeconds(5))).isTrue();
                }
            }
            assertThat(logs.lines()).as("refusals are logged").isNotEmpty()
                    .noneMatch(line -> line.contains("sig=") || line.contains(expired.substring(expired.indexOf("sig="))));
        }
        assertThat(dps.registration("mqtt-bad-sas")).isEmpty();
    }

    @Test
    void aTokenSignedWithTheWrongKeyIsRefusedInTheConnackAndNothingIsStored() throws Exception {
        dps.enrollSymmetricKey("mqtt-wrong-key");
        String wrongKey = dev.opendps.domain.SymmetricKeys.generate();
        try (RawMqttClient device = client()) {
            assertThat(device.connect("mqtt-wrong-key", username("mqtt-wrong-key"),
                    dps.deviceToken("mqtt-wrong-key", wrongKey), true, 60))
                    .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        }
        assertThat(dps.registration("mqtt-wrong-key")).isEmpty();
    }

    @Test
    void anUnknownRegistrationIdIsRefusedInTheConnack() throws Exception {
        String key = dev.opendps.domain.SymmetricKeys.generate();
        try (RawMqttClient device = client()) {
            assertThat(device.connect("mqtt-nobody", username("mqtt-nobody"), dps.deviceToken("mqtt-nobody", key),
                    true, 60)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        }
        assertThat(dps.registration("mqtt-nobody")).isEmpty();
    }

    @Test
    void aGroupDevicesDerivedKeyIsAcceptedInTheConnack() throws Exception {
        String groupKey = dps.enrollSymmetricKeyGroup("mqtt-group");
        String deviceKey = dev.opendps.domain.SymmetricKeys.deriveDeviceKey(groupKey, "mqtt-group-device");
        try (RawMqttClient device = connected("mqtt-group-device", dps.deviceToken("mqtt-group-device", deviceKey))) {
            device.publish(REGISTER + "1", MqttQoS.AT_MOST_ONCE, "{\"registrationId\":\"mqtt-group-device\"}");
            assertThat(device.answer().topic()).startsWith("$dps/registrations/res/20");
        }
        assertThat(dps.registration("mqtt-group-device")).isPresent();
    }

    @Test
    void aConnectWithoutPasswordOrClientCertificateIsNotAuthorized() throws Exception {
        try (RawMqttClient device = client()) {
            assertThat(device.connect("mqtt-anonymous", username("mqtt-anonymous"), null, true, 60))
                    .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        }
    }

    @Test
    void anX509CertificateWhoseCommonNameIsNotTheRegistrationIdIsRefusedAtConnect() throws Exception {
        TestPki.Credential leaf = TestPki.device("mqtt-cn-a").selfSigned().issue();
        dps.enrollX509("mqtt-cn-b", leaf);
        try (RawMqttClient device = RawMqttClient.tls(dps.frontDoor.port("mqtt"), clientCertificate(leaf))) {
            assertThat(device.connect("mqtt-cn-b", username("mqtt-cn-b"), null, true, 60))
                    .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        }
        assertThat(dps.registration("mqtt-cn-b")).isEmpty();
    }

    @Test
    void aUsernameThatNamesNoDeviceIsABadUsername() throws Exception {
        for (String username : new String[] {null, "just-a-name", dps.idScope() + "/devices/mqtt-u/api-version=2019-03-31",
                dps.idScope() + "/registrations//api-version=2019-03-31"}) {
            try (RawMqttClient device = client()) {
                // MQTT 3.1.1 allows a password only with a username.
                String password = username == null ? null : "SharedAccessSignature sr=x&sig=y&se=1";
                assertThat(device.connect("mqtt-u", username, password, true, 60))
                        .as(String.valueOf(username))
                        .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
            }
        }
    }

    @Test
    void aClientIdThatIsNotTheRegistrationIdIsRejected() throws Exception {
        String key = dps.enrollSymmetricKey("mqtt-client-id");
        try (RawMqttClient device = client()) {
            assertThat(device.connect("someone-else", username("mqtt-client-id"), dps.deviceToken("mqtt-client-id", key),
                    true, 60)).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
        }
    }

    @Test
    void tpmAttestationIsNotOfferedOverMqtt() throws Exception {
        try (RawMqttClient device = symmetricKeyDevice("mqtt-tpm-body")) {
            device.publish(REGISTER + "1", MqttQoS.AT_MOST_ONCE,
                    "{\"registrationId\":\"mqtt-tpm-body\",\"tpm\":{\"endorsementKey\":\"AAAA\"}}");

            Answer refused = device.answer();

            assertThat(refused.topic()).isEqualTo("$dps/registrations/res/400/?$rid=1");
            assertDpsError(refused, 400013);
        }
        assertThat(dps.registration("mqtt-tpm-body")).isEmpty();
    }

    // --- what devices should not send ----------------------------------------------------------------------

    @Test
    void anUnknownOperationWithARequestIdIsAnswered404AndAPollWithoutOperationId400() throws Exception {
        try (RawMqttClient device = symmetricKeyDevice("mqtt-unknown-op")) {
            device.publish("$dps/registrations/POST/iotdps-something/?$rid=7", MqttQoS.AT_MOST_ONCE, "{}");
            device.publish(POLL + "8", MqttQoS.AT_MOST_ONCE, "");

            Answer unknown = device.answer();
            Answer noOperation = device.answer();

            assertThat(unknown.topic()).isEqualTo("$dps/registrations/res/404/?$rid=7");
            assertDpsError(unknown, 404001);
            assertThat(noOperation.topic()).isEqualTo("$dps/registrations/res/400/?$rid=8");
            assertDpsError(noOperation, 400001);
            assertThat(device.isClosed()).isFalse();
        }
        assertThat(dps.registration("mqtt-unknown-op")).isEmpty();
    }

    @Test
    void aPublishOnATopicThatIsNoDpsRequestClosesTheConnection() throws Exception {
        try (RawMqttClient device = symmetricKeyDevice("mqtt-wrong-topic")) {
            device.publish("devices/mqtt-wrong-topic/messages/events/", MqttQoS.AT_LEAST_ONCE, "{}");

            assertThat(device.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(dps.registration("mqtt-wrong-topic")).isEmpty();
    }

    @Test
    void aPublishBeforeSubscribingClosesTheConnectionWithoutRegistering() throws Exception {
        String key = dps.enrollSymmetricKey("mqtt-no-subscription");
        try (RawMqttClient device = client()) {
            assertThat(device.connect("mqtt-no-subscription", username("mqtt-no-subscription"),
                    dps.deviceToken("mqtt-no-subscription", key), true, 60))
                    .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            device.publish(REGISTER + "1", MqttQoS.AT_LEAST_ONCE, "{}");

            assertThat(device.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(dps.registration("mqtt-no-subscription")).isEmpty();
    }

    @Test
    void aSubscriptionToOtherTopicsIsRefusedAndQos2IsGrantedAsQos1() throws Exception {
        String key = dps.enrollSymmetricKey("mqtt-subscriptions");
        try (RawMqttClient device = client()) {
            device.connect("mqtt-subscriptions", username("mqtt-subscriptions"),
                    dps.deviceToken("mqtt-subscriptions", key), true, 60);

            assertThat(device.subscribe("devices/mqtt-subscriptions/messages/devicebound/#", MqttQoS.AT_LEAST_ONCE))
                    .isEqualTo(0x80);
            assertThat(device.subscribe("$dps/registrations/res/#", MqttQoS.EXACTLY_ONCE)).isEqualTo(1);
        }
    }

    @Test
    void malformedBytesCloseThatConnectionOnly() throws Exception {
        try (RawMqttClient bystander = symmetricKeyDevice("mqtt-bystander");
             RawMqttClient broken = symmetricKeyDevice("mqtt-broken")) {
            // Packet type 0 is reserved: no MQTT packet starts so.
            broken.send(Unpooled.wrappedBuffer(new byte[] {0x00, 0x00}));
            assertThat(broken.awaitClosed(Duration.ofSeconds(5))).isTrue();

            bystander.publish(REGISTER + "1", MqttQoS.AT_MOST_ONCE, "{}");
            assertThat(bystander.answer().topic()).startsWith("$dps/registrations/res/202/?$rid=1");
        }
    }

    @Test
    void bytesThatAreNoMqttAtAllCloseTheConnection() throws Exception {
        try (RawMqttClient garbage = client()) {
            garbage.send(Unpooled.wrappedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes()));

            assertThat(garbage.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void aPacketLargerThanTheLimitClosesTheConnectionWithoutRegistering() throws Exception {
        try (RawMqttClient device = symmetricKeyDevice("mqtt-oversize")) {
            byte[] payload = ("{\"registrationId\":\"mqtt-oversize\",\"payload\":\"" + "x".repeat(70_000) + "\"}").getBytes();
            device.publish(REGISTER + "1", MqttQoS.AT_LEAST_ONCE, payload, 3);

            assertThat(device.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(dps.registration("mqtt-oversize")).isEmpty();
    }

    @Test
    void aPingIsAnsweredAndSilenceBeyondOneAndAHalfKeepAlivesCloses() throws Exception {
        String key = dps.enrollSymmetricKey("mqtt-keepalive");
        try (RawMqttClient device = client()) {
            assertThat(device.connect("mqtt-keepalive", username("mqtt-keepalive"),
                    dps.deviceToken("mqtt-keepalive", key), true, 1)).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            device.send(MqttMessage.PINGREQ);
            assertThat(device.next(Duration.ofSeconds(5)).fixedHeader().messageType())
                    .isEqualTo(MqttMessageType.PINGRESP);

            long silentFrom = System.nanoTime();
            assertThat(device.awaitClosed(Duration.ofSeconds(10))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - silentFrom)).isBetween(Duration.ofMillis(1200),
                    Duration.ofSeconds(5));
        }
    }

    @Test
    void aPacketBeforeConnectClosesTheConnection() throws Exception {
        try (RawMqttClient device = client()) {
            device.send(MqttMessage.PINGREQ);

            assertThat(device.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
    }

    // --- one connection does not hold back another ------------------------------------------------------

    @Test
    void aClientThatStopsReadingItsAnswersIsHeldBackAloneAndLosesNothing() throws Exception {
        // Answers of about 1 KB: far more than the front door's socket send buffer, the client's receive buffer and
        // Netty's write buffer hold together (about 200 KB).
        int requests = 2000;
        AtomicInteger answered = new AtomicInteger();
        Handler counter = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage().startsWith("operationStatus ") && record.getMessage().contains("=mqtt-slow ")) {
                    answered.incrementAndGet();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger("DeviceOperations").addHandler(counter);
        String key = dps.enrollSymmetricKey("mqtt-slow");
        try (RawMqttClient slow = RawMqttClient.tls(dps.frontDoor.port("mqtt"), trust, 4096);
             RawMqttClient silent = symmetricKeyDevice("mqtt-silent")) {
            assertThat(slow.connect("mqtt-slow", username("mqtt-slow"), dps.deviceToken("mqtt-slow", key), true, 60))
                    .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            slow.subscribe("$dps/registrations/res/#", MqttQoS.AT_MOST_ONCE);
            slow.publish(REGISTER + "0", MqttQoS.AT_MOST_ONCE, "{}");
            String operationId = json(slow.answer().body()).path("operationId").asText();
            slow.reading(false);
            for (int i = 1; i <= requests; i++) {
                slow.channel().write(MqttMessageBuilders.publish().topicName(POLL + i + "&operationId=" + operationId)
                        .qos(MqttQoS.AT_MOST_ONCE).retained(false).messageId(0).payload(Unpooled.EMPTY_BUFFER).build());
            }
            slow.channel().flush();

            // Another device registers meanwhile, beside a connection that went silent after subscribing.
            try (RawMqttClient other = symmetricKeyDevice("mqtt-beside-slow")) {
                other.publish(REGISTER + "1", MqttQoS.AT_LEAST_ONCE, "{}");
                assertThat(other.answer().topic()).startsWith("$dps/registrations/res/202/?$rid=1");
            }

            // The server stops taking the slow client's requests once its answers back up, instead of buffering.
            int before;
            do {
                before = answered.get();
                Thread.sleep(1000);
            } while (answered.get() != before);
            assertThat(answered.get()).as("requests answered while the client did not read").isLessThan(requests);

            slow.reading(true);
            for (int i = 1; i <= requests; i++) {
                assertThat(slow.answer().topic()).isEqualTo("$dps/registrations/res/200/?$rid=" + i);
            }
            assertThat(answered.get()).isEqualTo(requests);
            assertThat(silent.isClosed()).isFalse();
        } finally {
            Logger.getLogger("DeviceOperations").removeHandler(counter);
        }
    }

    // --- the Java SDK's lost wake-up --------------------------------------------------------------------

    @Test
    void answersToTheJavaSdkAreWrittenNoSoonerThanTheFloorAfterTheirRequest() throws Exception {
        String key = dps.enrollSymmetricKey("mqtt-java-floor");
        try (RawMqttClient device = client()) {
            device.connect("mqtt-java-floor", dps.idScope() + "/registrations/mqtt-java-floor"
                    + "/api-version=2019-03-31&ClientVersion=2019-03-31", dps.deviceToken("mqtt-java-floor", key), false, 230);
            device.subscribe("$dps/registrations/res/#", MqttQoS.AT_LEAST_ONCE);

            long published = System.nanoTime();
            device.publish(POLL + "1&operationId=4.0.none", MqttQoS.AT_MOST_ONCE, "");
            device.answer();

            assertThat(Duration.ofNanos(System.nanoTime() - published)).isGreaterThanOrEqualTo(MqttProtocol.JAVA_ANSWER_FLOOR);
        }
    }

    // --- over WebSockets --------------------------------------------------------------------------------

    @Test
    void mqttOverWebSocketsWorksOnTheIotHubPathAndOnTheRoot() throws Exception {
        for (String path : new String[] {"/$iothub/websocket", "/"}) {
            String registrationId = "mqtt-ws" + (path.length() > 1 ? "-iothub" : "-root");
            String key = dps.enrollSymmetricKey(registrationId);
            try (RawMqttClient device = RawMqttClient.webSocket(dps.frontDoor.port("websocket"), trust, path)) {
                assertThat(device.connect(registrationId, username(registrationId),
                        dps.deviceToken(registrationId, key), true, 60)).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
                device.subscribe("$dps/registrations/res/#", MqttQoS.AT_LEAST_ONCE);
                device.publish(REGISTER + "1", MqttQoS.AT_LEAST_ONCE, "{}");

                Answer registered = device.answer();

                assertThat(registered.topic()).as(path).isEqualTo("$dps/registrations/res/202/?$rid=1&retry-after=3");
                assertThat(json(registered.body()).path("status").asText()).isEqualTo("assigned");
            }
            assertThat(dps.registration(registrationId).orElseThrow().status()).isEqualTo(RegistrationStatus.ASSIGNED);
        }
    }

    /** The C SDK asks for the subprotocol {@code MQTT}; Netty matches subprotocols by exact spelling. */
    @Test
    void theCSdksUpperCaseSubprotocolIsAccepted() throws Exception {
        String key = dps.enrollSymmetricKey("mqtt-ws-upper");
        try (RawMqttClient device = RawMqttClient.webSocket(dps.frontDoor.port("websocket"), trust,
                "/$iothub/websocket", "MQTT")) {
            assertThat(device.connect("mqtt-ws-upper", username("mqtt-ws-upper"), dps.deviceToken("mqtt-ws-upper", key),
                    true, 60)).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        }
    }
}
