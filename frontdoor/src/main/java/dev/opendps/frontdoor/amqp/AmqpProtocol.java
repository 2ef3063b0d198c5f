package dev.opendps.frontdoor.amqp;

import dev.opendps.api.ApiCall;
import dev.opendps.frontdoor.DeviceGateway;
import dev.opendps.frontdoor.FrontDoorConnection;
import dev.opendps.frontdoor.FrontDoorSettings;
import dev.opendps.frontdoor.TransportProtocol;
import io.netty.channel.ChannelPipeline;
import java.time.Clock;
import java.util.Objects;

/**
 * Device registration over AMQP 1.0 (dps-protocol.md §3.2): on its TLS port (5671) and on the WebSocket port with
 * subprotocol {@code AMQPWSB10}. Each connection gets a Qpid Proton-J engine driven from its Netty channel; devices
 * authenticate with SASL {@code PLAIN} (symmetric key), {@code TPM}, or their TLS client certificate (no SASL
 * layer, X.509), and their register and status requests go to the same registration core as HTTP's.
 */
public final class AmqpProtocol implements TransportProtocol {
    public static final String NAME = "amqp";
    public static final String WEBSOCKET_SUBPROTOCOL = "AMQPWSB10";

    private final DeviceGateway gateway;
    private final FrontDoorSettings settings;
    private final ApiCall errors;

    public AmqpProtocol(DeviceGateway gateway, FrontDoorSettings settings) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.errors = new ApiCall("DeviceOperations", Clock.systemUTC());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String webSocketSubprotocol() {
        return WEBSOCKET_SUBPROTOCOL;
    }

    @Override
    public void configure(ChannelPipeline pipeline, FrontDoorConnection connection) {
        pipeline.addLast("amqp", new AmqpConnectionHandler(gateway, settings, connection, errors));
    }
}
