package dev.opendps.benchmark.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opendps.benchmark.load.ConnectionScript;
import dev.opendps.benchmark.load.Step;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One device's symmetric-key registration over MQTT 3.1.1 as the SDKs do it (dps-protocol.md §3.1, sdk-wire-notes.md
 * "Device registration over MQTT"): CONNECT with the registration id as client id, the DPS username and the SAS as
 * password; SUBSCRIBE {@code $dps/registrations/res/#} at QoS 1; PUBLISH the register request, then operation-status
 * polls while the status is {@code assigning}; each answer is a PUBLISH on {@code $dps/registrations/res/{status}/?$rid=…},
 * acknowledged when it comes at QoS 1. Done when the status is {@code assigned}.
 */
public final class MqttRegistrationScript implements ConnectionScript {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE_BYTES = 1 << 16;
    private static final String RESPONSES = "$dps/registrations/res/#";
    private static final Pattern RESPONSE_TOPIC = Pattern.compile("^\\$dps/registrations/res/(\\d{3})/\\?\\$rid=([^&]*)");

    private final RegistrationTarget target;
    private final String registrationId;
    private final String password;
    private final RegistrationProgress progress;
    private int nextRid = 1;
    private String awaitedRid;

    public MqttRegistrationScript(RegistrationTarget target, Device device) {
        this.target = target;
        this.progress = new RegistrationProgress(target);
        this.registrationId = device.registrationId();
        long expiry = System.currentTimeMillis() / 1000 + target.tokenLifetimeSeconds();
        this.password = SharedAccessSignatures.device(target.idScope(), registrationId, device.key(), expiry);
    }

    @Override
    public void addCodecs(ChannelPipeline pipeline) {
        pipeline.addLast(MqttEncoder.INSTANCE, new MqttDecoder(MAX_MESSAGE_BYTES));
    }

    @Override
    public Object firstMessage(ByteBufAllocator allocator) {
        return MqttMessageBuilders.connect()
                .protocolVersion(MqttVersion.MQTT_3_1_1)
                .clientId(registrationId)
                .username(target.idScope() + "/registrations/" + registrationId + "/api-version=" + target.apiVersion()
                        + "&ClientVersion=opendps-benchmark")
                .password(password.getBytes(StandardCharsets.UTF_8))
                .cleanSession(true)
                .keepAlive(60)
                .build();
    }

    @Override
    public Step onMessage(Object message, ByteBufAllocator allocator) {
        if (!(message instanceof MqttMessage mqtt) || mqtt.decoderResult().isFailure()) {
            return Step.failed("mqtt: undecodable message");
        }
        MqttMessageType type = mqtt.fixedHeader().messageType();
        return switch (type) {
            case CONNACK -> {
                MqttConnectReturnCode code = ((MqttConnAckMessage) mqtt).variableHeader().connectReturnCode();
                yield code == MqttConnectReturnCode.CONNECTION_ACCEPTED
                        ? Step.send(MqttMessageBuilders.subscribe().messageId(1)
                                .addSubscription(MqttQoS.AT_LEAST_ONCE, RESPONSES).build(), 0)
                        : Step.failed("mqtt-connack-" + code.name().toLowerCase());
            }
            case SUBACK -> Step.send(request("PUT/iotdps-register", null,
                    DeviceRegistrationScript.registrationBody(registrationId)), 0);
            case PUBLISH -> answer((MqttPublishMessage) mqtt);
            case PUBACK, PINGRESP -> null;
            default -> Step.failed("mqtt: unexpected " + type);
        };
    }

    private Step answer(MqttPublishMessage publish) {
        String topic = publish.variableHeader().topicName();
        List<Object> next = new ArrayList<>();
        if (publish.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
            next.add(MqttMessageBuilders.pubAck().packetId(publish.variableHeader().packetId()).build());
        }
        Matcher matcher = RESPONSE_TOPIC.matcher(topic);
        if (!matcher.find()) {
            return Step.failed("mqtt: answer on an unexpected topic");
        }
        if (!matcher.group(2).equals(awaitedRid)) {
            return next.isEmpty() ? null : Step.sendAll(next);
        }
        JsonNode body = parse(ByteBufUtil.getBytes(publish.payload()));
        return progress.next("mqtt", Integer.parseInt(matcher.group(1)), body, operationId -> {
            next.add(request("GET/iotdps-get-operationstatus", operationId, new byte[0]));
            return new Step.Send(List.copyOf(next), target.pollDelayMillis());
        });
    }

    private MqttPublishMessage request(String operation, String operationId, byte[] payload) {
        awaitedRid = Integer.toString(nextRid++);
        String topic = "$dps/registrations/" + operation + "/?$rid=" + awaitedRid
                + (operationId == null ? "" : "&operationId=" + operationId);
        return MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_MOST_ONCE).retained(false)
                .payload(Unpooled.wrappedBuffer(payload)).build();
    }

    private static JsonNode parse(byte[] payload) {
        if (payload.length == 0) {
            return null;
        }
        try {
            return JSON.readTree(payload);
        } catch (IOException e) {
            return null;
        }
    }
}
