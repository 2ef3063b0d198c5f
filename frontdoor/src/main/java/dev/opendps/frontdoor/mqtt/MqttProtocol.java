package dev.opendps.frontdoor.mqtt;

import dev.opendps.frontdoor.DeviceGateway;
import dev.opendps.frontdoor.FrontDoorConnection;
import dev.opendps.frontdoor.FrontDoorSettings;
import dev.opendps.frontdoor.TransportProtocol;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import java.time.Duration;

/**
 * Device registration over MQTT 3.1.1 (dps-protocol.md §3.1), over TLS on {@code DPS_MQTT_PORT} and over
 * WebSockets (subprotocol {@code mqtt}): Netty's MQTT codec, and a {@link MqttSession} per connection.
 */
public final class MqttProtocol implements TransportProtocol {
    /** Registration ids are at most 128 characters (§2.3); the client id is the registration id. */
    private static final int MAX_CLIENT_ID_LENGTH = 128;

    /**
     * The earliest an answer to the Java device SDK (2.1.3) is written after its request arrived. The SDK publishes,
     * returns from the publish, and only then waits for the answer on a monitor; an answer delivered in between
     * notifies no one, and the SDK sits out its 60 s wait (sdk-wire-notes.md). That gap is microseconds unless the
     * device's thread is descheduled right there, which on a busy machine happens: with answers written at once, 5
     * of 40 registrations stalled on a loaded 2-core machine. Holding the answer back this long (a timer on the
     * connection's event loop, no thread waits) closes the gap; no other client's answers are held back.
     */
    static final Duration JAVA_ANSWER_FLOOR = Duration.ofMillis(50);

    private final DeviceGateway gateway;
    private final FrontDoorSettings settings;
    private final Duration javaAnswerFloor;

    public MqttProtocol(DeviceGateway gateway, FrontDoorSettings settings) {
        this(gateway, settings, JAVA_ANSWER_FLOOR);
    }

    MqttProtocol(DeviceGateway gateway, FrontDoorSettings settings, Duration javaAnswerFloor) {
        this.gateway = gateway;
        this.settings = settings;
        this.javaAnswerFloor = javaAnswerFloor;
    }

    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public String webSocketSubprotocol() {
        return "mqtt";
    }

    @Override
    public void configure(ChannelPipeline pipeline, FrontDoorConnection connection) {
        // The decoder refuses any packet over the size limit before buffering it (DPS_FRONTDOOR_MAX_MESSAGE_BYTES).
        pipeline.addLast("mqttDecoder", new MqttDecoder(settings.maxMessageBytes(), MAX_CLIENT_ID_LENGTH));
        pipeline.addLast("mqttEncoder", MqttEncoder.INSTANCE);
        pipeline.addLast("mqttSession", new MqttSession(gateway, settings, connection, javaAnswerFloor));
    }
}
