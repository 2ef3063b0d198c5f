package dev.opendps.frontdoor.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opendps.api.ApiResponse;
import dev.opendps.domain.ErrorCode;
import dev.opendps.frontdoor.DeviceGateway;
import dev.opendps.frontdoor.FrontDoorConnection;
import dev.opendps.frontdoor.FrontDoorSettings;
import dev.opendps.frontdoor.mqtt.DpsTopics.DeviceName;
import dev.opendps.frontdoor.mqtt.DpsTopics.OperationStatus;
import dev.opendps.frontdoor.mqtt.DpsTopics.Request;
import dev.opendps.frontdoor.mqtt.DpsTopics.Unknown;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One device's MQTT 3.1.1 connection to DPS (dps-protocol.md §3.1): CONNECT names the device and carries its
 * credentials, SUBSCRIBE to the response topics, then register and operation-status requests published as
 * messages and answered on the response topics. Requests go to the registration core through the
 * {@link DeviceGateway}, one at a time and answered in order: a device asks one thing at a time, a poll published
 * before the register's answer still runs after the register, and the Java SDK, which takes answers in arrival
 * order, gets each answer after its request.
 *
 * <p>A client that does not read its answers is not buffered for: no further request starts while the channel is
 * not writable, and no further bytes are read while requests wait, so TCP pushes back; the idle timeout ends it.
 */
final class MqttSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(MqttSession.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Requests waiting behind the one in progress before reading pauses. A device sends one at a time. */
    static final int PAUSE_READING_AT = 4;
    /**
     * Requests waiting beyond this close the connection. Reading pauses at {@link #PAUSE_READING_AT}, so only what
     * one socket read already carried (at most 64 KB, a request being 50 bytes at the least) can pile up behind:
     * this is a safety net, well above that.
     */
    static final int MAX_WAITING = 2048;

    private enum State { AWAITING_CONNECT, AUTHENTICATING, CONNECTED, CLOSED }

    private final DeviceGateway gateway;
    private final FrontDoorSettings settings;
    private final FrontDoorConnection connection;
    private final Duration javaAnswerFloor;

    private ChannelHandlerContext ctx;
    private State state = State.AWAITING_CONNECT;
    private DeviceName device;
    private DeviceGateway.Credentials credentials;
    /** How long after a request arrived its answer is written at the earliest. */
    private Duration answerFloor = Duration.ZERO;
    /** The QoS answers are published at: the highest granted to a subscription covering them; null if none. */
    private MqttQoS answerQos;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private boolean answering;
    private int lastPacketId;

    /**
     * @param javaAnswerFloor how long after a request of the Java device SDK arrived its answer is written at the
     *                        earliest (see {@link MqttProtocol#JAVA_ANSWER_FLOOR}); other clients' answers are
     *                        written as soon as they are ready
     */
    MqttSession(DeviceGateway gateway, FrontDoorSettings settings, FrontDoorConnection connection,
                Duration javaAnswerFloor) {
        this.gateway = gateway;
        this.settings = settings;
        this.connection = connection;
        this.javaAnswerFloor = javaAnswerFloor;
    }

    private record Pending(Request request, byte[] payload, long receivedNanos) {
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (state == State.CLOSED) {
                return;
            }
            if (!(msg instanceof MqttMessage message)) {
                close("an unexpected message " + msg.getClass().getSimpleName());
                return;
            }
            if (message.decoderResult().isFailure()) {
                malformed(message.decoderResult().cause());
                return;
            }
            MqttMessageType type = message.fixedHeader().messageType();
            if (state == State.AUTHENTICATING) {
                // Reading is paused until the CONNACK; only what the same socket read carried gets here.
                close(type + " before the CONNACK (a client waits for it)");
                return;
            }
            if (state == State.AWAITING_CONNECT) {
                if (type == MqttMessageType.CONNECT) {
                    connect((MqttConnectMessage) message);
                } else {
                    close(type + " before CONNECT");
                }
                return;
            }
            switch (type) {
                case SUBSCRIBE -> subscribe((MqttSubscribeMessage) message);
                case UNSUBSCRIBE -> unsubscribe((MqttUnsubscribeMessage) message);
                case PUBLISH -> publish((MqttPublishMessage) message);
                case PUBACK -> {
                    // Answers are not resent (clean sessions only), so an acknowledgement needs no bookkeeping.
                }
                case PINGREQ -> ctx.writeAndFlush(MqttMessage.PINGRESP);
                case DISCONNECT -> close(null);
                case CONNECT -> close("a second CONNECT");
                default -> close(type + " (DPS takes no QoS 2, and this is not a packet a client sends)");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** A packet the decoder could not read: answered where MQTT says how (§3.1 CONNACK codes), else closed. */
    private void malformed(Throwable cause) {
        if (state == State.AWAITING_CONNECT && cause instanceof MqttUnacceptableProtocolVersionException) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION, "an unknown MQTT version");
        } else if (state == State.AWAITING_CONNECT && cause instanceof MqttIdentifierRejectedException) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "an invalid client id");
        } else if (cause instanceof TooLongFrameException) {
            close("a packet larger than " + settings.maxMessageBytes() + " bytes (DPS_FRONTDOOR_MAX_MESSAGE_BYTES)");
        } else {
            close("a malformed packet (" + cause.getClass().getSimpleName() + ")");
        }
    }

    // --- CONNECT ------------------------------------------------------------------------------------------

    /**
     * CONNECT (§3.1): MQTT 3.1.1; the username names the ID scope and registration id, the client id is the
     * registration id; a SAS token as password (symmetric key) or a TLS client certificate (X.509). What can be
     * checked without a store is checked at once and refused with CONNACK 2, 4 or 5; a token is then tried against
     * the enrollment (its key, or its group's derived key) before the CONNACK: a wrong key or an unknown device is
     * refused with 5, a store that cannot answer with 3. A certificate's chain is checked at register (answered on
     * the response topic). Clean session 0 (Java, Python) is accepted and treated as clean: DPS keeps no session.
     */
    private void connect(MqttConnectMessage message) {
        if (message.variableHeader().version() != MqttVersion.MQTT_3_1_1.protocolLevel()) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
                    "MQTT protocol level " + message.variableHeader().version() + " (DPS speaks 3.1.1)");
            return;
        }
        String username = message.variableHeader().hasUserName() ? message.payload().userName() : null;
        DeviceName name = DeviceName.parse(username).orElse(null);
        if (name == null) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD,
                    "a username that is not {idScope}/registrations/{registrationId}/api-version=…");
            return;
        }
        if (!name.registrationId().equalsIgnoreCase(message.payload().clientIdentifier())) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
                    "a client id that is not the registration id of its username");
            return;
        }
        byte[] password = message.variableHeader().hasPassword() ? message.payload().passwordInBytes() : null;
        DeviceGateway.Credentials presented = connection.credentials(
                password == null ? null : new String(password, StandardCharsets.UTF_8));
        ApiResponse check = gateway.checkConnection(name.idScope(), name.registrationId(), presented);
        if (check.status() >= 300) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                    "credentials refused for " + FrontDoorConnection.printable(name.registrationId()) + ": "
                            + errorMessage(check));
            return;
        }
        int keepAlive = message.variableHeader().keepAliveTimeSeconds();
        if (presented.sasToken() == null) {
            accept(name, presented, keepAlive);
            return;
        }
        // The key itself is tried against the enrollment before the CONNACK (§3.1: bad credentials are refused in
        // it; sdk-wire-notes: both SDKs then report "Connection refused: Not authorized"). That reads the store, so
        // it runs on the gateway's workers; nothing more is read from the client meanwhile.
        state = State.AUTHENTICATING;
        ctx.channel().config().setAutoRead(false);
        gateway.authenticate(name.idScope(), name.registrationId(), presented.sasToken())
                .whenComplete((answer, failure) -> onEventLoop(() -> {
                    if (state != State.AUTHENTICATING) {
                        return; // closed meanwhile
                    }
                    ctx.channel().config().setAutoRead(true);
                    if (failure != null) {
                        refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                                "a failed credential check (" + failure.getClass().getSimpleName() + ")");
                    } else if (answer.status() < 300) {
                        accept(name, presented, keepAlive);
                    } else if (answer.status() == 429 || answer.status() >= 500) {
                        refuse(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                                "the credential check answering " + answer.status());
                    } else {
                        refuse(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, "credentials refused for "
                                + FrontDoorConnection.printable(name.registrationId()) + ": " + errorMessage(answer));
                    }
                }));
    }

    /** Runs {@code task} on this connection's event loop, unless the front door is shutting down. */
    private void onEventLoop(Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // The event loop is gone and the connection with it.
        }
    }

    /** CONNACK 0: the device named by {@code name}, with {@code presented} credentials, is connected. */
    private void accept(DeviceName name, DeviceGateway.Credentials presented, int keepAlive) {
        device = name;
        credentials = presented;
        answerFloor = name.javaSdk() ? javaAnswerFloor : Duration.ZERO;
        state = State.CONNECTED;
        connection.opened();
        if (keepAlive > 0) {
            // MQTT 3.1.1 §3.1.2.10: one and a half keep-alives without a packet end the connection; the front
            // door's own idle timeout stays the upper bound.
            Duration mqttIdle = Duration.ofMillis(keepAlive * 1500L);
            connection.idleTimeout(mqttIdle.compareTo(settings.idleTimeout()) < 0 ? mqttIdle : settings.idleTimeout());
        }
        MqttConnAckMessage accepted = MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).sessionPresent(false).build();
        ctx.writeAndFlush(accepted);
    }

    private void refuse(MqttConnectReturnCode code, String why) {
        LOG.fine(() -> connection.transport() + " CONNECT from " + ctx.channel().remoteAddress() + " refused ("
                + code + "): " + why);
        state = State.CLOSED;
        ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** The {@code message} of a DPS error body, for a log line (it never holds a token or key). */
    private static String errorMessage(ApiResponse error) {
        try {
            return JSON.readTree(error.body()).path("message").asText("status " + error.status());
        } catch (IOException e) {
            return "status " + error.status();
        }
    }

    // --- SUBSCRIBE --------------------------------------------------------------------------------------

    /** Grants at most QoS 1 to filters that cover the answers ({@code $dps/registrations/res/#}); refuses others. */
    private void subscribe(MqttSubscribeMessage message) {
        MqttMessageBuilders.SubAckBuilder ack = MqttMessageBuilders.subAck()
                .packetId(message.variableHeader().messageId());
        for (MqttTopicSubscription subscription : message.payload().topicSubscriptions()) {
            if (DpsTopics.coversResponses(subscription.topicFilter())) {
                MqttQoS granted = subscription.qualityOfService() == MqttQoS.AT_MOST_ONCE
                        ? MqttQoS.AT_MOST_ONCE : MqttQoS.AT_LEAST_ONCE;
                answerQos = answerQos == null || granted.value() > answerQos.value() ? granted : answerQos;
                ack.addGrantedQos(granted);
            } else {
                ack.addGrantedQos(MqttQoS.FAILURE);
            }
        }
        ctx.writeAndFlush(ack.build());
    }

    private void unsubscribe(MqttUnsubscribeMessage message) {
        if (message.payload().topics().stream().anyMatch(DpsTopics::coversResponses)) {
            answerQos = null;
        }
        ctx.writeAndFlush(MqttMessageBuilders.unsubAck().packetId(message.variableHeader().messageId()).build());
    }

    // --- requests ---------------------------------------------------------------------------------------

    /**
     * A request. QoS 1 publishes are acknowledged on receipt (the answer follows on the response topic). A publish
     * without a subscription to the answers, or on a topic that names no DPS request with a {@code $rid} to answer,
     * is a client fault that no answer could report: the connection is closed, as IoT Hub closes on bad topics.
     */
    private void publish(MqttPublishMessage message) {
        MqttQoS qos = message.fixedHeader().qosLevel();
        if (qos == MqttQoS.EXACTLY_ONCE) {
            close("a QoS 2 publish (DPS takes QoS 0 and 1)");
            return;
        }
        if (answerQos == null) {
            close("a publish before subscribing to " + DpsTopics.RESPONSES);
            return;
        }
        Request request = DpsTopics.request(message.variableHeader().topicName()).orElse(null);
        if (request == null) {
            close("a publish on a topic that is no DPS request");
            return;
        }
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            ctx.write(MqttMessageBuilders.pubAck().packetId(message.variableHeader().packetId()).build());
        }
        waiting.add(new Pending(request, ByteBufUtil.getBytes(message.payload()), System.nanoTime()));
        if (waiting.size() > MAX_WAITING) {
            close("more than " + MAX_WAITING + " requests awaiting answers");
            return;
        }
        ctx.flush();
        startNext();
    }

    /** Starts the next waiting request unless one is being answered or the client is not reading its answers. */
    private void startNext() {
        Channel channel = ctx.channel();
        if (!answering && state == State.CONNECTED && channel.isWritable() && !waiting.isEmpty()) {
            Pending next = waiting.poll();
            answering = true;
            CompletableFuture<ApiResponse> answer;
            try {
                answer = call(next);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.whenComplete((response, failure) -> {
                try {
                    channel.eventLoop().execute(() -> answered(next, response, failure));
                } catch (RejectedExecutionException shuttingDown) {
                    // The front door is closing; the connection goes with it.
                }
            });
        }
        readWhileFewWait();
    }

    private CompletableFuture<ApiResponse> call(Pending pending) {
        Request request = pending.request();
        if (request instanceof OperationStatus status) {
            return gateway.operationStatus(device.idScope(), device.registrationId(), status.operationId(), credentials);
        }
        if (request instanceof Unknown unknown) {
            return CompletableFuture.completedFuture(gateway.error(unknown.error(), unknown.message()));
        }
        if (asksForTpm(pending.payload())) {
            return CompletableFuture.completedFuture(gateway.error(ErrorCode.INVALID_ATTESTATION,
                    "TPM attestation is not supported over MQTT; register over HTTPS or AMQP."));
        }
        return gateway.register(device.idScope(), device.registrationId(), credentials, pending.payload());
    }

    /** DPS does not do TPM attestation over MQTT (§3.1): a register body carrying TPM keys is refused. */
    private static boolean asksForTpm(byte[] payload) {
        if (payload.length == 0) {
            return false;
        }
        try {
            JsonNode body = JSON.readTree(payload);
            return body != null && body.isObject() && body.has("tpm");
        } catch (IOException malformed) {
            return false; // the core answers a malformed body with its 400
        }
    }

    /** On the event loop: publishes the answer (not before the answer floor), then starts the next request. */
    private void answered(Pending pending, ApiResponse response, Throwable failure) {
        if (state != State.CONNECTED) {
            return;
        }
        ApiResponse answer = response;
        if (failure != null) {
            LOG.log(Level.SEVERE, "An MQTT request failed unexpectedly", failure);
            answer = gateway.error(ErrorCode.INTERNAL_ERROR, ErrorCode.INTERNAL_ERROR.defaultMessage());
        }
        long due = pending.receivedNanos() + answerFloor.toNanos() - System.nanoTime();
        if (due > 0) {
            ApiResponse delayed = answer;
            ctx.executor().schedule(() -> write(pending, delayed), due, TimeUnit.NANOSECONDS);
        } else {
            write(pending, answer);
        }
    }

    private void write(Pending pending, ApiResponse answer) {
        if (state != State.CONNECTED) {
            return;
        }
        if (answerQos != null) {
            String topic = DpsTopics.response(answer.status(), pending.request().rid(), header(answer, "retry-after"));
            MqttPublishMessage publish = MqttMessageBuilders.publish()
                    .topicName(topic)
                    .qos(answerQos)
                    .retained(false)
                    .messageId(answerQos == MqttQoS.AT_MOST_ONCE ? 0 : nextPacketId())
                    .payload(Unpooled.wrappedBuffer(answer.body()))
                    .build();
            ctx.writeAndFlush(publish).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        }
        answering = false;
        startNext();
    }

    private static String header(ApiResponse response, String name) {
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    private int nextPacketId() {
        lastPacketId = lastPacketId % 0xFFFF + 1;
        return lastPacketId;
    }

    // --- flow control -------------------------------------------------------------------------------------

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        startNext();
        super.channelWritabilityChanged(ctx);
    }

    /** Reads on while few requests wait and answers can be written; otherwise leaves the bytes in TCP. */
    private void readWhileFewWait() {
        boolean read = state != State.CLOSED && waiting.size() < PAUSE_READING_AT && ctx.channel().isWritable();
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        state = State.CLOSED;
        waiting.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        close("an error: " + cause.getClass().getSimpleName());
    }

    /** Closes the connection; {@code why} names a client fault for the log (null: the client asked to). */
    private void close(String why) {
        if (why != null) {
            LOG.fine(() -> connection.transport() + " connection from " + ctx.channel().remoteAddress()
                    + (device == null ? "" : " (" + FrontDoorConnection.printable(device.registrationId()) + ")")
                    + " closed after " + why);
        }
        state = State.CLOSED;
        waiting.clear();
        ctx.close();
    }
}
