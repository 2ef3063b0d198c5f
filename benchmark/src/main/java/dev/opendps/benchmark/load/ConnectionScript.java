package dev.opendps.benchmark.load;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;

/**
 * What one simulated client does on its own fresh TLS connection: a first message once the handshake is done,
 * then, after each message from the server, more messages on the same connection, nothing (keep waiting), or the
 * end of the exchange. One instance per connection; called on that connection's event loop only. HTTP scripts
 * implement {@link HttpConnectionScript}; other protocols add their own codecs.
 */
public interface ConnectionScript {

    /** Adds, after TLS, the codecs that turn bytes into this script's messages and back. */
    void addCodecs(ChannelPipeline pipeline);

    Object firstMessage(ByteBufAllocator allocator);

    /**
     * Decides from a message of the server (released by the caller afterwards) what comes next; {@code null} waits
     * for the next message.
     */
    Step onMessage(Object message, ByteBufAllocator allocator);
}
