package dev.opendps.localhost.server;

import dev.opendps.localhost.http.RequestProcessor;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The HTTPS listener on Netty: TLS, HTTP/1.1 with keep-alive, bodies aggregated up to a limit (413 beyond),
 * then {@link HttpExchangeHandler}. Event loops only parse and route; functions run on the processor's workers.
 */
public final class HttpsServer implements AutoCloseable {

    private static final int IDLE_SECONDS = 120;
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADER_SIZE = 32 * 1024;
    private static final int MAX_CHUNK_SIZE = 64 * 1024;

    private final EventLoopGroup acceptor;
    private final EventLoopGroup io;
    private final Channel channel;
    private final String transport;

    private HttpsServer(EventLoopGroup acceptor, EventLoopGroup io, Channel channel, String transport) {
        this.acceptor = acceptor;
        this.io = io;
        this.channel = channel;
        this.transport = transport;
    }

    /**
     * Binds and starts serving.
     *
     * @param port           0 for an ephemeral port
     * @param ioThreads      event loop threads
     * @param maxBodyBytes   larger request bodies are answered with 413
     */
    public static HttpsServer start(String bindAddress, int port, int ioThreads, SslContext tls, int maxBodyBytes,
                                    RequestProcessor processor) throws InterruptedException {
        EventLoops loops = new EventLoops();
        EventLoopGroup acceptor = loops.newGroup(1, "https-accept");
        EventLoopGroup io = loops.newGroup(ioThreads, "https-io");
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(acceptor, io)
                    .channel(loops.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            String fallbackAuthority = authorityOf(channel.localAddress());
                            ChannelPipeline pipeline = channel.pipeline();
                            pipeline.addLast("tls", tls.newHandler(channel.alloc()));
                            pipeline.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
                            pipeline.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK_SIZE));
                            pipeline.addLast("keep-alive", new HttpServerKeepAliveHandler());
                            // Also answers "Expect: 100-continue" (413 straight away when the declared body is too large).
                            pipeline.addLast("aggregate", new HttpObjectAggregator(maxBodyBytes));
                            // Holds pipelined requests while one is in flight (the exchange handler pauses reading).
                            pipeline.addLast("flow", new FlowControlHandler());
                            pipeline.addLast("exchange", new HttpExchangeHandler(processor, fallbackAuthority));
                        }
                    });
            Channel channel = bootstrap.bind(bindAddress, port).sync().channel();
            return new HttpsServer(acceptor, io, channel, loops.transportName());
        } catch (InterruptedException | RuntimeException e) {
            acceptor.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            io.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** "epoll" or "nio". */
    public String transport() {
        return transport;
    }

    /** Stops accepting connections; open connections keep being served until {@link #close()}. */
    public void stopAccepting() {
        channel.close().syncUninterruptibly();
    }

    @Override
    public void close() {
        stopAccepting();
        var acceptorDone = acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        var ioDone = io.shutdownGracefully(100, 5000, TimeUnit.MILLISECONDS);
        acceptorDone.syncUninterruptibly();
        ioDone.syncUninterruptibly();
    }

    private static String authorityOf(InetSocketAddress local) {
        String host = local.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return host + ":" + local.getPort();
    }
}
