package dev.opendps.frontdoor;

import io.netty.channel.ChannelPipeline;

/**
 * One device protocol of the front door (MQTT, AMQP). The front door accepts the connection, terminates TLS (and,
 * on the WebSocket listener, the WebSocket framing), enforces the connection limit and idle timeout, and then hands
 * a byte stream to the protocol's handlers, which it adds with {@link #configure}.
 */
public interface TransportProtocol {
    /** Short name for logs and metrics: {@code mqtt}, {@code amqp}. */
    String name();

    /** The WebSocket subprotocol a client asks for to speak this protocol: {@code mqtt}, {@code AMQPWSB10}. */
    String webSocketSubprotocol();

    /**
     * Adds this protocol's handlers at the end of {@code pipeline}, whose earlier handlers deliver and accept
     * {@link io.netty.buffer.ByteBuf}s. The protocol calls {@link FrontDoorConnection#opened()} once the client has
     * opened its session (MQTT CONNECT accepted, AMQP open received), or the connection is closed after the
     * handshake timeout.
     */
    void configure(ChannelPipeline pipeline, FrontDoorConnection connection);
}
