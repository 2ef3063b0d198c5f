package dev.opendps.frontdoor;

import dev.opendps.frontdoor.amqp.AmqpProtocol;
import dev.opendps.frontdoor.mqtt.MqttProtocol;
import java.util.ArrayList;
import java.util.List;

/** The device protocols the front door serves, wired to one gateway. */
public final class Protocols {
    private Protocols() {
    }

    public static List<TransportProtocol> standard(DeviceGateway gateway, FrontDoorSettings settings) {
        List<TransportProtocol> protocols = new ArrayList<>();
        protocols.add(new AmqpProtocol(gateway, settings));
        protocols.add(new MqttProtocol(gateway, settings));
        return List.copyOf(protocols);
    }
}
