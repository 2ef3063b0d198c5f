package dev.opendps.benchmark.load;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** A {@link ConnectionScript} over HTTP/1.1: full requests out, aggregated responses in. */
public interface HttpConnectionScript extends ConnectionScript {

    int MAX_RESPONSE_BYTES = 1 << 20;

    FullHttpRequest firstRequest(ByteBufAllocator allocator);

    /** Decides from a response (released by the caller afterwards) what comes next. */
    Step onResponse(FullHttpResponse response, ByteBufAllocator allocator);

    @Override
    default void addCodecs(ChannelPipeline pipeline) {
        pipeline.addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE_BYTES));
    }

    @Override
    default Object firstMessage(ByteBufAllocator allocator) {
        return firstRequest(allocator);
    }

    @Override
    default Step onMessage(Object message, ByteBufAllocator allocator) {
        return message instanceof FullHttpResponse response ? onResponse(response, allocator)
                : Step.failed("unexpected " + message.getClass().getSimpleName());
    }
}
