package dev.opendps.benchmark.load;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/** The baseline: one anonymous {@code GET} with {@code Connection: close}; any 200 counts. */
public final class SingleGetScript implements HttpConnectionScript {

    private final String hostHeader;
    private final String pathAndQuery;

    public SingleGetScript(String hostHeader, String pathAndQuery) {
        this.hostHeader = hostHeader;
        this.pathAndQuery = pathAndQuery;
    }

    @Override
    public FullHttpRequest firstRequest(ByteBufAllocator allocator) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, pathAndQuery,
                Unpooled.EMPTY_BUFFER);
        request.headers()
                .set(HttpHeaderNames.HOST, hostHeader)
                .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return request;
    }

    @Override
    public Step onResponse(FullHttpResponse response, ByteBufAllocator allocator) {
        int status = response.status().code();
        return status == 200 ? Step.SUCCEEDED : Step.failed("http-" + status);
    }
}
