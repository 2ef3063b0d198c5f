package dev.opendps.benchmark.load;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * What one simulated client does on its own fresh TLS connection: a first request once the handshake is
 * done, then, after each response, another request on the same connection or the end of the exchange.
 * One instance per connection; called on that connection's event loop only.
 */
public interface ConnectionScript {

    FullHttpRequest firstRequest(ByteBufAllocator allocator);

    /** Decides from a response (released by the caller afterwards) what comes next. */
    Step onResponse(FullHttpResponse response, ByteBufAllocator allocator);
}
