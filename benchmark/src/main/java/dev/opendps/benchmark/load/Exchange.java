package dev.opendps.benchmark.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/**
 * One connection's life: handshake, the script's requests and responses, close. Latency runs from the
 * moment the connection was requested to the final response. Confined to the channel's event loop.
 */
final class Exchange extends ChannelInboundHandlerAdapter {

    private final FreshConnectionLoad load;
    private final FreshConnectionLoad.Run run;
    private final ConnectionScript script;
    private final long startNanos;
    private final Channel channel;
    private ChannelHandlerContext context;
    private ScheduledFuture<?> timeout;
    private long handshakeNanos = -1;
    private long serverMicros = -1;
    private int requests;
    private Boolean resumed;
    private boolean done;

    Exchange(FreshConnectionLoad load, FreshConnectionLoad.Run run, ConnectionScript script, Channel channel,
             long startNanos) {
        this.load = load;
        this.channel = channel;
        this.run = run;
        this.script = script;
        this.startNanos = startNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    void armTimeout(long nanos) {
        timeout = channel.eventLoop().schedule(() -> fail("timeout"), nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            if (!handshake.isSuccess()) {
                fail(kindOf(handshake.cause()));
                return;
            }
            handshakeNanos = System.nanoTime() - startNanos;
            SSLEngine engine = ctx.pipeline().get(SslHandler.class).engine();
            SSLSession session = engine.getSession();
            load.handshakeDone(session.getProtocol() + " " + session.getCipherSuite());
            resumed = ClientTls.resumed(engine);
            send(script.firstMessage(ctx.alloc()));
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        Step step;
        try {
            requests++;
            if (message instanceof FullHttpResponse response) {
                long server = ServerTiming.durationMicros(response.headers().get("Server-Timing"),
                        load.serverTimingMetric());
                if (server >= 0) {
                    serverMicros = Math.max(serverMicros, 0) + server;
                }
            }
            step = done ? null : script.onMessage(message, ctx.alloc());
        } catch (RuntimeException e) {
            step = Step.failed("client error: " + e.getClass().getSimpleName());
        } finally {
            ReferenceCountUtil.release(message);
        }
        if (step == null) {
            requests--; // an acknowledgement or other message the script waits past: not an answer
        } else if (step instanceof Step.Send next) {
            if (next.delayMillis() > 0) {
                ctx.channel().eventLoop().schedule(() -> send(next.messages()), next.delayMillis(), TimeUnit.MILLISECONDS);
            } else {
                send(next.messages());
            }
        } else if (step instanceof Step.Failed failed) {
            finish(failed.kind());
        } else {
            finish(null);
        }
    }

    private void send(Object message) {
        send(java.util.List.of(message));
    }

    private void send(java.util.List<Object> messages) {
        if (done) {
            messages.forEach(ReferenceCountUtil::release);
            return;
        }
        for (Object message : messages) {
            context.write(message).addListener((ChannelFutureListener) written -> {
                if (!written.isSuccess()) {
                    fail(kindOf(written.cause()));
                }
            });
        }
        context.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail("connection closed before the final answer");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(kindOf(cause));
    }

    void fail(String kind) {
        finish(kind);
    }

    private void finish(String failure) {
        if (done) {
            return;
        }
        done = true;
        long end = System.nanoTime();
        if (timeout != null) {
            timeout.cancel(false);
        }
        channel.close();
        load.finished(run, startNanos, end, handshakeNanos, resumed, serverMicros, requests, failure);
    }

    /** A short failure class for the report; never includes ids or addresses that vary per connection. */
    static String kindOf(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof ConnectException) {
            return "connect: " + firstWords(root.getMessage());
        }
        if (cause instanceof SSLException || root instanceof SSLException) {
            return "tls: " + firstWords(root.getMessage());
        }
        if (root instanceof ClosedChannelException) {
            return "connection closed before the final answer";
        }
        return root.getClass().getSimpleName() + ": " + firstWords(root.getMessage());
    }

    private static String firstWords(String message) {
        if (message == null) {
            return "";
        }
        String text = message.replaceAll("[/\\d.:]+:\\d+", "<addr>");
        return text.length() > 80 ? text.substring(0, 80) : text;
    }
}
