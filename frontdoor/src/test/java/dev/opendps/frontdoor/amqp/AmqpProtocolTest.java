package dev.opendps.frontdoor.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.api.DeviceApi;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.frontdoor.FrontDoorFixture;
import dev.opendps.frontdoor.FrontDoorSettings;
import dev.opendps.frontdoor.Protocols;
import dev.opendps.testing.LogCapture;
import dev.opendps.testing.SoftwareTpm;
import dev.opendps.testing.TestPki;
import dev.opendps.wire.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AMQP 1.0 at the protocol level (dps-protocol.md §3.2, §2.4 "AMQP TPM SASL"), with a bare Proton-J client against
 * the front door over a real registration core: what the official SDKs do, and what they never do (bad tokens,
 * garbage, oversize frames, stalled handshakes, foreign links).
 */
class AmqpProtocolTest {
    private static final int MAX_MESSAGE_BYTES = 4096;

    @TempDir
    static Path dataDir;

    static FrontDoorFixture dps;
    static SSLContext tls;
    static int amqpPort;
    static int webSocketPort;

    @BeforeAll
    static void start() throws Exception {
        amqpPort = FrontDoorFixture.freePort();
        webSocketPort = FrontDoorFixture.freePort();
        FrontDoorSettings defaults = FrontDoorFixture.settings(0, amqpPort, webSocketPort);
        // A short handshake deadline and a small message limit, so the tests that meet them are quick.
        FrontDoorSettings settings = new FrontDoorSettings(defaults.bindAddress(), 0, amqpPort, webSocketPort,
                defaults.maxConnections(), defaults.idleTimeout(), Duration.ofSeconds(3), MAX_MESSAGE_BYTES);
        dps = new FrontDoorFixture(dataDir, settings, Protocols::standard);
        tls = dps.clientSslContext();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    private static String address(String registrationId) {
        return dps.idScope() + "/registrations/" + registrationId;
    }

    /** A device authenticated with SASL PLAIN and its links open on {@code linkAddress}. */
    private static AmqpTestClient plainDevice(String registrationId, String key, String linkAddress) throws IOException {
        AmqpTestClient client = AmqpTestClient.connect(amqpPort, tls, true)
                .plain(address(registrationId), dps.deviceToken(registrationId, key));
        assertThat(client.saslOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_OK);
        return client.openLinks(linkAddress);
    }

    private static Message register(String registrationId, String correlationId) {
        return AmqpTestClient.request(RegistrationMessages.REGISTER, correlationId, Map.of("iotdps-forceRegistration", false),
                ("{\"registrationId\":\"" + registrationId + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static Message poll(String operationId, String correlationId) {
        return AmqpTestClient.request(RegistrationMessages.OPERATION_STATUS, correlationId,
                Map.of(RegistrationMessages.OPERATION_ID, operationId), null);
    }

    private static JsonNode json(Message message) {
        Binary body = ((Data) message.getBody()).getValue();
        return Json.parseObject(java.util.Arrays.copyOfRange(body.getArray(), body.getArrayOffset(),
                body.getArrayOffset() + body.getLength()));
    }

    private static JsonNode rejection(Delivery delivery) {
        assertThat(delivery.getRemoteState()).isInstanceOf(Rejected.class);
        Rejected rejected = (Rejected) delivery.getRemoteState();
        return Json.parseObject(rejected.getError().getDescription().getBytes(StandardCharsets.UTF_8));
    }

    // --- SASL PLAIN (symmetric key) ------------------------------------------------------------------

    @Test
    void aSymmetricKeyDeviceRegistersAndEveryAnswerCarriesItsCorrelationIdAndBothRetryAfterKeys() throws Exception {
        String key = dps.enrollSymmetricKey("amqp-plain-1");
        // Java's link address form: a leading slash.
        try (AmqpTestClient device = plainDevice("amqp-plain-1", key, "/" + address("amqp-plain-1"))) {
            Delivery request = device.send(register("amqp-plain-1", "correlation-1"));
            Message answer = device.awaitAnswer();

            assertThat(device.awaitOutcome(request).getRemoteState()).isInstanceOf(Accepted.class);
            assertThat(answer.getCorrelationId()).isEqualTo("correlation-1");
            assertThat(answer.getApplicationProperties().getValue())
                    .containsEntry("retry-after", 3).containsEntry("Retry-After", 3);
            JsonNode status = json(answer);
            assertThat(status.get("status").asText()).isEqualTo("assigned");
            DeviceRegistrationState stored = dps.registration("amqp-plain-1").orElseThrow();
            assertThat(status.at("/registrationState/assignedHub").asText()).isEqualTo(stored.assignedHub());
            assertThat(stored.deviceId()).isEqualTo("amqp-plain-1");

            // A poll on the same connection; a client that sets only a message-id gets it back as correlation-id.
            Message byMessageId = poll(status.get("operationId").asText(), null);
            byMessageId.setMessageId("message-2");
            device.send(byMessageId);
            Message polled = device.awaitAnswer();
            assertThat(polled.getCorrelationId()).isEqualTo("message-2");
            assertThat(json(polled).at("/registrationState/deviceId").asText()).isEqualTo("amqp-plain-1");
        }
    }

    @Test
    void aBadTokenEndsSaslWithAuthClosesTheConnectionAndStoresNothing() throws Exception {
        dps.enrollSymmetricKey("amqp-plain-bad");
        try (AmqpTestClient device = AmqpTestClient.connect(amqpPort, tls, true)
                .plain(address("amqp-plain-bad"), dps.deviceToken("amqp-plain-bad", SymmetricKeys.generate()))) {
            assertThat(device.saslOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_AUTH);
            assertThat(device.awaitServerClose(Duration.ofSeconds(5))).isTrue();
        }
        try (AmqpTestClient device = AmqpTestClient.connect(amqpPort, tls, true)
                .plain("not-a-registration", "SharedAccessSignature sr=x&sig=y&se=1")) {
            assertThat(device.saslOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_AUTH);
        }
        assertThat(dps.registration("amqp-plain-bad")).isEmpty();
    }

    @Test
    void aLinkNamingAnotherDeviceThanTheAuthenticatedOneIsRefused() throws Exception {
        String key = dps.enrollSymmetricKey("amqp-plain-2");
        dps.enrollSymmetricKey("amqp-plain-3");
        try (AmqpTestClient device = plainDevice("amqp-plain-2", key, address("amqp-plain-3"))) {
            assertThat(device.await(() -> device.sender.getRemoteState() == EndpointState.CLOSED)).isTrue();
            assertThat((Object) device.sender.getRemoteCondition().getCondition())
                    .isEqualTo(Symbol.valueOf("amqp:unauthorized-access"));
            assertThat(device.receiver.getRemoteState()).isEqualTo(EndpointState.CLOSED);
        }
        assertThat(dps.registration("amqp-plain-3")).isEmpty();
    }

    // --- errors ----------------------------------------------------------------------------------------

    @Test
    void failedRequestsAreRejectedWithTheDpsErrorBody() throws Exception {
        String key = dps.enrollSymmetricKey("amqp-errors-1");
        // C's link address form: the whole URL.
        try (AmqpTestClient device = plainDevice("amqp-errors-1", key,
                "amqps://localhost/" + address("amqp-errors-1"))) {
            JsonNode unknownOperation = rejection(device.awaitOutcome(device.send(
                    poll("4.0000000000000000.missing", "c-1"))));
            JsonNode otherId = rejection(device.awaitOutcome(device.send(register("someone-else", "c-2"))));
            JsonNode noOperation = rejection(device.awaitOutcome(device.send(
                    AmqpTestClient.request("iotdps-delete-everything", "c-3", Map.of(), null))));

            assertThat(unknownOperation.get("errorCode").asInt()).isEqualTo(404204);
            assertThat(unknownOperation.get("trackingId").asText()).isNotBlank();
            assertThat(unknownOperation.get("message").asText()).isNotBlank();
            assertThat(otherId.get("errorCode").asInt()).isEqualTo(400011);
            assertThat(noOperation.get("errorCode").asInt()).isEqualTo(400001);
        }
        assertThat(dps.registration("amqp-errors-1")).isEmpty();
    }

    /**
     * Opens the connection, a session and one sending link on {@code linkAddress}, and writes them in one go with a
     * transfer of {@code request} that proton would hold back for lack of credit: a client that does not wait.
     */
    private static void openAndSendAtOnce(AmqpTestClient device, String linkAddress, Message request)
            throws IOException {
        device.connection.setContainer("opendps-test-device");
        device.connection.open();
        device.session = device.connection.session();
        device.session.open();
        device.sender = device.session.sender("test-sender");
        Target target = new Target();
        target.setAddress(linkAddress);
        device.sender.setTarget(target);
        device.sender.setSource(new Source());
        device.sender.open();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(device.takePending());
        bytes.write(AmqpTestClient.transferFrame(0, 0, 0, request));
        device.writeRaw(bytes.toByteArray());
    }

    private static void assertRefusedAtTheOpen(AmqpTestClient device) throws IOException {
        assertThat(device.awaitServerClose(Duration.ofSeconds(10))).isTrue();
        assertThat(device.connection.getRemoteState()).isEqualTo(EndpointState.CLOSED);
        assertThat((Object) device.connection.getRemoteCondition().getCondition())
                .isEqualTo(Symbol.valueOf("amqp:unauthorized-access"));
    }

    @Test
    void withoutSaslAndWithoutACertificateTheOpenIsRefusedAsUnauthorizedAndNothingReachesTheCore() throws Exception {
        dps.enrollSymmetricKey("amqp-nobody");
        try (LogCapture log = LogCapture.of(DeviceApi.class)) {
            try (AmqpTestClient device = AmqpTestClient.connect(amqpPort, tls, false)) {
                openAndSendAtOnce(device, address("amqp-nobody"), register("amqp-nobody", "c-1"));
                assertRefusedAtTheOpen(device);
            }
            // SASL EXTERNAL names no device either: without a certificate it is the same.
            try (AmqpTestClient device = AmqpTestClient.connect(amqpPort, tls, true)) {
                device.sasl.client();
                device.sasl.setMechanisms(DeviceSasl.EXTERNAL);
                device.sasl.send(new byte[0], 0, 0);
                assertThat(device.saslOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_OK);
                device.openLinks(address("amqp-nobody"));
                assertRefusedAtTheOpen(device);
                assertThat(device.sender.getRemoteState()).as("no link was attached").isEqualTo(EndpointState.UNINITIALIZED);
            }
            assertThat(log.lines()).as("no request reached the registration core")
                    .noneMatch(line -> line.contains("amqp-nobody"));
        }
        assertThat(dps.registration("amqp-nobody")).isEmpty();
    }

    @Test
    void aCertificateWhoseCommonNameIsNoRegistrationIdIsRefusedAtTheOpen() throws Exception {
        TestPki.Credential leaf = TestPki.device("not a registration id!").selfSigned().issue();
        try (AmqpTestClient device = AmqpTestClient.connect(amqpPort, dps.clientSslContext(keyManagers(leaf)), false)
                .openLinks(address("amqp-bad-cn"))) {
            assertRefusedAtTheOpen(device);
        }
    }

    private static KeyManager[] keyManagers(TestPki.Credential leaf) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        char[] password = "device".toCharArray();
        keys.setKeyEntry("device", leaf.privateKey(), password, new Certificate[] {leaf.certificate()});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, password);
        return factory.getKeyManagers();
    }

    @Test
    void bytesThatAreNoAmqpHeaderAreAnsweredWithTheSaslHeaderAndClosed() throws Exception {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", amqpPort)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            assertThat(socket.getInputStream().readAllBytes()).isEqualTo(AmqpConnectionHandler.SASL_HEADER);
        }
    }

    @Test
    void aFrameLargerThanTheLimitClosesTheConnection() throws Exception {
        try (AmqpTestClient device = AmqpTestClient.connect(amqpPort, tls, false)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write(AmqpConnectionHandler.AMQP_HEADER);
            bytes.write(new byte[] {0x00, 0x10, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}); // a 1 MiB frame follows
            device.writeRaw(bytes.toByteArray());

            device.readRaw(Duration.ofSeconds(5));
            assertThat(device.serverClosed()).isTrue();
        }
    }

    @Test
    void aMessageLargerThanTheLimitDetachesItsLinkAndRegistersNothing() throws Exception {
        String key = dps.enrollSymmetricKey("amqp-large-1");
        try (AmqpTestClient device = plainDevice("amqp-large-1", key, address("amqp-large-1"))) {
            String padding = "x".repeat(3 * MAX_MESSAGE_BYTES);
            Delivery large = device.send(AmqpTestClient.request(RegistrationMessages.REGISTER, "c-1", Map.of(),
                    ("{\"registrationId\":\"amqp-large-1\",\"payload\":\"" + padding + "\"}")
                            .getBytes(StandardCharsets.UTF_8)));

            assertThat(device.await(() -> device.sender.getRemoteState() == EndpointState.CLOSED)).isTrue();
            assertThat((Object) device.sender.getRemoteCondition().getCondition())
                    .isEqualTo(Symbol.valueOf("amqp:link:message-size-exceeded"));
            // Once all of it came, the server lets go of the message: rejected and settled, not kept.
            assertThat(device.await(large::remotelySettled)).isTrue();
            assertThat((Object) ((Rejected) large.getRemoteState()).getError().getCondition())
                    .isEqualTo(Symbol.valueOf("amqp:link:message-size-exceeded"));
            // Only the link ends: the connection stays up while the client finishes sending the message.
            device.await(() -> false, Duration.ofMillis(500));
            assertThat(device.serverClosed()).isFalse();
            assertThat(device.connection.getRemoteState()).isEqualTo(EndpointState.ACTIVE);
        }
        assertThat(dps.registration("amqp-large-1")).isEmpty();
    }

    @Test
    void aClientSendingPastItsLinkCreditIsClosedWithResourceLimitExceededAndTheRestNeverReachesTheCore()
            throws Exception {
        String key = dps.enrollSymmetricKey("amqp-flood-1");
        int sent = 3 * AmqpConnectionHandler.LINK_CREDIT;
        try (LogCapture log = LogCapture.of(DeviceApi.class);
             AmqpTestClient device = plainDevice("amqp-flood-1", key, address("amqp-flood-1"))) {
            assertThat(device.sender.getCredit()).isEqualTo(AmqpConnectionHandler.LINK_CREDIT);
            // Past the credit in one write (proton would hold them back): the sending link is the second, handle 1.
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < sent; i++) {
                flood.write(AmqpTestClient.transferFrame(0, 1, i, register("amqp-flood-1", "flood-" + i)));
            }
            device.writeRaw(flood.toByteArray());

            assertThat(device.awaitServerClose(Duration.ofSeconds(10))).isTrue();
            assertThat((Object) device.connection.getRemoteCondition().getCondition())
                    .isEqualTo(Symbol.valueOf("amqp:resource-limit-exceeded"));
            device.await(() -> false, Duration.ofMillis(300)); // what was let in finishes meanwhile
            assertThat(log.lines().stream().filter(line -> line.contains("registrationId=amqp-flood-1")).count())
                    .as("only the requests within the credit reached the registration core")
                    .isLessThanOrEqualTo(AmqpConnectionHandler.LINK_CREDIT);
        }
    }

    @Test
    void aDeviceThatNeverSettlesItsAnswersIsClosedOnceTheyPileUp() throws Exception {
        String key = dps.enrollSymmetricKey("amqp-unsettled-1");
        try (AmqpTestClient device = AmqpTestClient.connect(amqpPort, tls, true)
                .plain(address("amqp-unsettled-1"), dps.deviceToken("amqp-unsettled-1", key))) {
            device.answerSettleMode = SenderSettleMode.UNSETTLED; // C#'s mode: the device settles answers
            device.answerCredit = 1000;
            device.openLinks(address("amqp-unsettled-1"));
            device.send(register("amqp-unsettled-1", "c-0"));
            String operationId = json(device.awaitAnswer()).get("operationId").asText(); // settled

            // Polls within the credit, whose answers it takes and never settles.
            int answered = 0;
            while (!device.serverClosed() && answered < 2 * AmqpConnectionHandler.MAX_UNSETTLED_ANSWERS) {
                java.util.List<Delivery> batch = new java.util.ArrayList<>();
                for (int i = 0; i < AmqpConnectionHandler.LINK_CREDIT; i++) {
                    batch.add(device.send(poll(operationId, "p-" + answered + "-" + i)));
                }
                device.await(() -> device.serverClosed() || batch.stream().allMatch(d -> d.getRemoteState() != null));
                answered += (int) batch.stream().filter(d -> d.getRemoteState() instanceof Accepted).count();
            }

            assertThat(device.awaitServerClose(Duration.ofSeconds(10))).isTrue();
            assertThat((Object) device.connection.getRemoteCondition().getCondition())
                    .isEqualTo(Symbol.valueOf("amqp:resource-limit-exceeded"));
            assertThat(answered).isEqualTo(AmqpConnectionHandler.MAX_UNSETTLED_ANSWERS);
        }
    }

    @Test
    void aLongLivedDeviceEndingItsSessionsMayOpenNewOnesPastTheLimitOfFourAtOnce() throws Exception {
        String key = dps.enrollSymmetricKey("amqp-sessions-1");
        try (AmqpTestClient device = AmqpTestClient.connect(amqpPort, tls, true)
                .plain(address("amqp-sessions-1"), dps.deviceToken("amqp-sessions-1", key))) {
            assertThat(device.saslOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_OK);
            for (int i = 0; i < 3 * AmqpConnectionHandler.MAX_SESSIONS; i++) {
                device.openLinks(address("amqp-sessions-1"));
                assertThat(device.session.getRemoteState()).as("session " + i).isEqualTo(EndpointState.ACTIVE);
                assertThat(device.sender.getRemoteState()).as("link " + i).isEqualTo(EndpointState.ACTIVE);
                // Ending the session ends its links too, without a detach.
                device.session.close();
                assertThat(device.await(() -> device.session.getRemoteState() == EndpointState.CLOSED)).isTrue();
            }
            device.openLinks(address("amqp-sessions-1"));
            device.send(register("amqp-sessions-1", "c-1"));
            assertThat(json(device.awaitAnswer()).get("status").asText()).isEqualTo("assigned");
        }
    }

    // --- the handshake deadline ------------------------------------------------------------------------

    @Test
    void aClientThatNeverFinishesSaslIsClosedWhileAnotherRegisters() throws Exception {
        String key = dps.enrollSymmetricKey("amqp-meanwhile-1");
        try (AmqpTestClient stalled = AmqpTestClient.connect(amqpPort, tls, false)) {
            stalled.writeRaw(AmqpConnectionHandler.SASL_HEADER); // and then nothing
            long started = System.nanoTime();

            try (AmqpTestClient device = plainDevice("amqp-meanwhile-1", key, address("amqp-meanwhile-1"))) {
                device.send(register("amqp-meanwhile-1", "c-1"));
                assertThat(json(device.awaitAnswer()).get("status").asText()).isEqualTo("assigned");
            }

            byte[] received = stalled.readRaw(Duration.ofSeconds(10));
            assertThat(stalled.serverClosed()).as("closed by the 3 s handshake deadline").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            assertThat(new String(received, StandardCharsets.ISO_8859_1)).startsWith("AMQP");
        }
        assertThat(dps.registration("amqp-meanwhile-1")).isPresent();
    }

    // --- WebSocket -------------------------------------------------------------------------------------

    @Test
    void amqpOverWebSocketOnTheIotHubPathRegisters() throws Exception {
        String key = dps.enrollSymmetricKey("amqp-ws-1");
        try (AmqpTestClient device = AmqpTestClient.connect(webSocketPort, tls, true, "/$iothub/websocket")
                .plain(address("amqp-ws-1"), dps.deviceToken("amqp-ws-1", key))) {
            assertThat(device.saslOutcome()).isEqualTo(Sasl.SaslOutcome.PN_SASL_OK);
            device.openLinks(address("amqp-ws-1"));
            device.send(register("amqp-ws-1", "ws-1"));

            Message answer = device.awaitAnswer();
            assertThat(answer.getCorrelationId()).isEqualTo("ws-1");
            assertThat(json(answer).get("status").asText()).isEqualTo("assigned");
        }
        assertThat(dps.registration("amqp-ws-1").orElseThrow().assignedHub()).isNotBlank();
    }

    // --- SASL TPM (§2.4) -------------------------------------------------------------------------------

    /** Runs the TPM SASL exchange as the SDKs do and returns the outcome; {@code sign} makes the token from the blob. */
    private static Sasl.SaslOutcome tpmSasl(AmqpTestClient device, String registrationId, SoftwareTpm tpm,
                                            java.util.function.Function<byte[], String> sign,
                                            java.util.List<byte[]> challenges) throws IOException {
        Sasl sasl = device.sasl;
        sasl.client();
        sasl.setMechanisms("TPM");
        ByteArrayOutputStream init = new ByteArrayOutputStream();
        init.write(0);
        init.writeBytes(dps.idScope().getBytes(StandardCharsets.UTF_8));
        init.write(0);
        init.writeBytes(registrationId.getBytes(StandardCharsets.UTF_8));
        init.write(0);
        init.writeBytes(tpm.endorsementKey());
        sasl.send(init.toByteArray(), 0, init.size());
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        while (true) {
            device.await(() -> sasl.pending() > 0 || sasl.getOutcome() != Sasl.SaslOutcome.PN_SASL_NONE
                    || device.serverClosed());
            if (sasl.pending() <= 0) {
                return sasl.getOutcome();
            }
            byte[] challenge = new byte[sasl.pending()];
            sasl.recv(challenge, 0, challenge.length);
            challenges.add(challenge);
            byte[] response;
            if (challenge.length == 1 && challenge[0] == 0) {
                response = new byte[tpm.storageRootKey().length + 1];
                System.arraycopy(tpm.storageRootKey(), 0, response, 1, tpm.storageRootKey().length);
            } else {
                blob.write(challenge, 1, challenge.length - 1);
                if ((challenge[0] & 0x40) == 0) {
                    response = new byte[] {0};
                } else {
                    byte[] token = sign.apply(blob.toByteArray()).getBytes(StandardCharsets.UTF_8);
                    response = new byte[token.length + 1];
                    System.arraycopy(token, 0, response, 1, token.length);
                }
            }
            sasl.send(response, 0, response.length);
        }
    }

    private static String tpmToken(String registrationId, byte[] key) {
        return SharedAccessSignature.sign(address(registrationId), key, Instant.now().plus(Duration.ofHours(1)),
                "registration");
    }

    @Test
    void aTpmDeviceGetsTheBlobInTwoSegmentsSignsWithTheImportedKeyAndRegisters() throws Exception {
        SoftwareTpm tpm = SoftwareTpm.create();
        dps.enrollTpm("amqp-tpm-1", Base64.getEncoder().encodeToString(tpm.endorsementKey()));
        java.util.List<byte[]> challenges = new java.util.ArrayList<>();
        try (AmqpTestClient device = AmqpTestClient.connect(amqpPort, tls, true)) {
            Sasl.SaslOutcome outcome = tpmSasl(device, "amqp-tpm-1", tpm,
                    blob -> tpmToken("amqp-tpm-1", tpm.activate(blob).hmacKey()), challenges);

            assertThat(outcome).isEqualTo(Sasl.SaslOutcome.PN_SASL_OK);
            assertThat(challenges).hasSize(3);
            assertThat(challenges.get(0)).containsExactly(0x00);
            assertThat(challenges.get(1)[0]).isEqualTo((byte) 0x80);
            assertThat(challenges.get(2)[0]).isEqualTo((byte) 0xC1);
            assertThat(challenges.get(1).length).isLessThanOrEqualTo(DeviceSasl.TPM_SEGMENT_BYTES + 1);

            // Java's register body: the registration id only; the keys came in SASL.
            device.openLinks(address("amqp-tpm-1"));
            device.send(register("amqp-tpm-1", "tpm-1"));
            JsonNode status = json(device.awaitAnswer());
            assertThat(status.get("status").asText()).isEqualTo("assigned");
            assertThat(status.at("/registrationState/tpm/authenticationKey").asText()).isNotBlank();
        }
        DeviceRegistrationState stored = dps.registration("amqp-tpm-1").orElseThrow();
        assertThat(stored.attestationType()).isEqualTo("tpm");
    }

    @Test
    void aTpmDeviceWithTheLongestRegistrationIdStillGetsTheBlobInTwoSegmentsAsTheJavaSdkReads() throws Exception {
        // 128 characters, the most a registration id has (§2.3): the blob must still go in 0x80 then 0xC1, each in
        // one SASL frame of at most 512 bytes (this client's proton, as the Java SDK's, refuses larger ones).
        String registrationId = "amqp-tpm-long-" + "x".repeat(128 - "amqp-tpm-long-".length());
        SoftwareTpm tpm = SoftwareTpm.create();
        dps.enrollTpm(registrationId, Base64.getEncoder().encodeToString(tpm.endorsementKey()));
        java.util.List<byte[]> challenges = new java.util.ArrayList<>();
        byte[][] opened = new byte[1][];
        try (AmqpTestClient device = AmqpTestClient.connect(amqpPort, tls, true)) {
            Sasl.SaslOutcome outcome = tpmSasl(device, registrationId, tpm, blob -> {
                SoftwareTpm.Activated activated = tpm.activate(blob);
                opened[0] = activated.uriData();
                return tpmToken(registrationId, activated.hmacKey());
            }, challenges);

            assertThat(outcome).isEqualTo(Sasl.SaslOutcome.PN_SASL_OK);
            assertThat(challenges).hasSize(3);
            assertThat(challenges.get(1)[0]).isEqualTo((byte) 0x80);
            assertThat(challenges.get(2)[0]).isEqualTo((byte) 0xC1);
            assertThat(new String(opened[0], StandardCharsets.UTF_8)).isEqualTo(dps.idScope());
        }
    }

    @Test
    void aTpmTokenNotSignedWithTheImportedKeyAnUnenrolledTpmAndAnotherEndorsementKeyEndInAuth() throws Exception {
        SoftwareTpm tpm = SoftwareTpm.create();
        dps.enrollTpm("amqp-tpm-2", Base64.getEncoder().encodeToString(tpm.endorsementKey()));
        try (AmqpTestClient device = AmqpTestClient.connect(amqpPort, tls, true)) {
            Sasl.SaslOutcome outcome = tpmSasl(device, "amqp-tpm-2", tpm,
                    blob -> tpmToken("amqp-tpm-2", SymmetricKeys.generate().getBytes(StandardCharsets.US_ASCII)),
                    new java.util.ArrayList<>());
            assertThat(outcome).isEqualTo(Sasl.SaslOutcome.PN_SASL_AUTH);
        }
        java.util.List<byte[]> challenges = new java.util.ArrayList<>();
        try (AmqpTestClient device = AmqpTestClient.connect(amqpPort, tls, true)) {
            Sasl.SaslOutcome outcome = tpmSasl(device, "amqp-tpm-unknown", tpm, blob -> "never", challenges);
            assertThat(outcome).isEqualTo(Sasl.SaslOutcome.PN_SASL_AUTH);
            assertThat(challenges).as("refused after the SRK, without a blob").hasSize(1);
        }
        SoftwareTpm other = SoftwareTpm.create();
        dps.enrollTpm("amqp-tpm-3", Base64.getEncoder().encodeToString(other.endorsementKey()));
        try (AmqpTestClient device = AmqpTestClient.connect(amqpPort, tls, true)) {
            Sasl.SaslOutcome outcome = tpmSasl(device, "amqp-tpm-3", tpm, blob -> "never", new java.util.ArrayList<>());
            assertThat(outcome).isEqualTo(Sasl.SaslOutcome.PN_SASL_AUTH);
        }
        assertThat(dps.registration("amqp-tpm-2")).isEmpty();
        assertThat(dps.registration("amqp-tpm-unknown")).isEmpty();
        assertThat(dps.registration("amqp-tpm-3")).isEmpty();
    }
}
