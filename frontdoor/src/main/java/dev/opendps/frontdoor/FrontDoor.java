package dev.opendps.frontdoor;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The protocol front door (dps-protocol.md §3): a long-running server that accepts devices over MQTT and AMQP,
 * each over TLS on its own port and both over WebSockets on one port (chosen by subprotocol, any path), and passes
 * their requests to the registration core through a {@link DeviceGateway}. Azure Functions serve HTTP only; this is
 * what serves the other transports, locally inside the local host and on Azure as a container app.
 *
 * <p>Every connection counts against one limit across listeners, must finish TLS and open its protocol session
 * within the handshake timeout, and is closed after the idle timeout without traffic, so half-open connections
 * cannot pile up.
 */
public final class FrontDoor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FrontDoor.class.getName());
    private static final int WEBSOCKET_HANDSHAKE_BYTES = 8192;
    /** The pipeline name of the idle timeout, which a protocol may replace ({@link FrontDoorConnection#idleTimeout}). */
    static final String IDLE_HANDLER = "idle";
    private static final int SOCKET_SEND_BUFFER_BYTES = 64 * 1024;

    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final List<Channel> listeners;
    private final Map<String, Integer> ports;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private FrontDoor(EventLoopGroup acceptors, EventLoopGroup workers, List<Channel> listeners,
                      Map<String, Integer> ports) {
        this.acceptors = acceptors;
        this.workers = workers;
        this.listeners = listeners;
        this.ports = ports;
    }

    /**
     * Binds a TLS listener for each protocol whose port is set ({@code mqtt} on {@link FrontDoorSettings#mqttPort()},
     * {@code amqp} on {@link FrontDoorSettings#amqpPort()}) and, if its port is set, the WebSocket listener for all.
     */
    public static FrontDoor start(FrontDoorSettings settings, SslContext tls, List<TransportProtocol> protocols)
            throws InterruptedException {
        EventLoopGroup acceptors = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("frontdoor-accept", true),
                NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("frontdoor-io", true),
                NioIoHandler.newFactory());
        List<Channel> listeners = new ArrayList<>();
        Map<String, Integer> ports = new LinkedHashMap<>();
        ConnectionLimit limit = new ConnectionLimit(settings.maxConnections());
        FrontDoor frontDoor = new FrontDoor(acceptors, workers, listeners, ports);
        try {
            for (TransportProtocol protocol : protocols) {
                int port = switch (protocol.name()) {
                    case "mqtt" -> settings.mqttPort();
                    case "amqp" -> settings.amqpPort();
                    default -> throw new IllegalArgumentException("No port setting for protocol " + protocol.name());
                };
                if (port > 0) {
                    Channel channel = bind(acceptors, workers, settings, protocol.name(), port,
                            new ChannelInitializer<SocketChannel>() {
                                @Override
                                protected void initChannel(SocketChannel ch) {
                                    FrontDoorConnection connection = accept(ch, protocol.name(), settings, tls, limit);
                                    protocol.configure(ch.pipeline(), connection);
                                }
                            });
                    listeners.add(channel);
                    ports.put(protocol.name(), ((InetSocketAddress) channel.localAddress()).getPort());
                }
            }
            if (settings.webSocketPort() > 0 && !protocols.isEmpty()) {
                Channel channel = bind(acceptors, workers, settings, "websocket", settings.webSocketPort(),
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                webSocketPipeline(ch, settings, tls, limit, protocols);
                            }
                        });
                listeners.add(channel);
                ports.put("websocket", ((InetSocketAddress) channel.localAddress()).getPort());
            }
        } catch (InterruptedException | RuntimeException e) {
            frontDoor.close();
            throw e;
        }
        LOG.info(() -> "Front door listening: " + ports);
        return frontDoor;
    }

    /** The ports bound, by listener: {@code mqtt}, {@code amqp}, {@code websocket}; a listener whose port is 0 is off. */
    public Map<String, Integer> ports() {
        return Map.copyOf(ports);
    }

    public int port(String listener) {
        Integer port = ports.get(listener);
        if (port == null) {
            throw new IllegalStateException("No " + listener + " listener is running");
        }
        return port;
    }

    /**
     * @throws IllegalStateException naming the listener and its address if the port cannot be bound (in use, or
     *                               privileged), so that the caller can say which setting to change
     */
    private static Channel bind(EventLoopGroup acceptors, EventLoopGroup workers, FrontDoorSettings settings,
                                String listener, int port, ChannelInitializer<SocketChannel> initializer)
            throws InterruptedException {
        ChannelFuture bound = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // Answers are a few KB per device: a fixed send buffer keeps what a client that stops reading can
                // hold in the kernel to this, where autotuning would let it grow to megabytes per connection.
                .childOption(ChannelOption.SO_SNDBUF, SOCKET_SEND_BUFFER_BYTES)
                .childHandler(initializer)
                .bind(settings.bindAddress(), port)
                .await();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("The front door's " + listener + " listener cannot bind "
                    + settings.bindAddress() + ":" + port + ": " + bound.cause().getMessage(), bound.cause());
        }
        return bound.channel();
    }

    /**
     * The handlers every connection starts with: TLS, the idle timeout and the handshake deadline; null if the
     * connection limit refused it, in which case it is closed before any TLS state is made for it.
     */
    private static FrontDoorConnection accept(SocketChannel ch, String transport, FrontDoorSettings settings,
                                              SslContext tls, ConnectionLimit limit) {
        if (!limit.admit(ch)) {
            return null;
        }
        FrontDoorConnection connection = new FrontDoorConnection(ch, transport);
        ch.attr(FrontDoorConnection.KEY).set(connection);
        ChannelPipeline pipeline = ch.pipeline();
        SslHandler ssl = tls.newHandler(ch.alloc());
        ssl.setHandshakeTimeout(settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        pipeline.addLast("tls", ssl);
        pipeline.addLast(IDLE_HANDLER, new IdleStateHandler(settings.idleTimeout().toSeconds(), 0, 0, TimeUnit.SECONDS));
        pipeline.addLast("idleClose", IdleClose.INSTANCE);
        ScheduledFuture<?> deadline = ch.eventLoop().schedule(() -> {
            if (!connection.isOpened() && ch.isActive()) {
                LOG.fine(() -> transport + " connection from " + ch.remoteAddress() + " did not open in time; closing");
                ch.close();
            }
        }, settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        // A closed connection must not stay reachable (pipeline, TLS engine) until its deadline would have passed.
        ch.closeFuture().addListener(closed -> deadline.cancel(false));
        return connection;
    }

    private static void webSocketPipeline(SocketChannel ch, FrontDoorSettings settings, SslContext tls,
                                          ConnectionLimit limit, List<TransportProtocol> protocols) {
        FrontDoorConnection connection = accept(ch, "websocket", settings, tls, limit);
        if (connection == null) {
            return;
        }
        // Netty picks a subprotocol by exact spelling; the C SDK asks for "MQTT", the others for "mqtt".
        List<String> subprotocols = protocols.stream().map(TransportProtocol::webSocketSubprotocol)
                .flatMap(name -> java.util.stream.Stream.of(name, name.toLowerCase(java.util.Locale.ROOT),
                        name.toUpperCase(java.util.Locale.ROOT)))
                .distinct().toList();
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true) // any path: Java dials "/", the other SDKs "/$iothub/websocket"
                .subprotocols(String.join(",", subprotocols))
                .handshakeTimeoutMillis(settings.handshakeTimeout().toMillis())
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(settings.maxMessageBytes())
                        .allowExtensions(false)
                        .build())
                .build();
        ChannelPipeline pipeline = ch.pipeline();
        pipeline.addLast("http", new HttpServerCodec());
        pipeline.addLast("httpAggregator", new HttpObjectAggregator(WEBSOCKET_HANDSHAKE_BYTES));
        pipeline.addLast("originForm", OriginFormTarget.INSTANCE);
        pipeline.addLast("websocket", new WebSocketServerProtocolHandler(config));
        pipeline.addLast("websocketSelect", new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
                if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
                    String chosen = handshake.selectedSubprotocol();
                    TransportProtocol protocol = protocols.stream()
                            .filter(p -> p.webSocketSubprotocol().equalsIgnoreCase(chosen)).findFirst().orElse(null);
                    ChannelPipeline pipeline = ctx.pipeline();
                    pipeline.remove(this);
                    if (protocol == null) {
                        LOG.fine(() -> "WebSocket client asked for no known subprotocol; closing");
                        ctx.close();
                        return;
                    }
                    connection.transport(protocol.name() + "-ws");
                    pipeline.addLast("websocketBytes", new WebSocketBytes());
                    protocol.configure(pipeline, connection);
                } else {
                    super.userEventTriggered(ctx, event);
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // Before the protocol's handlers are in place (TLS or HTTP garbage, e.g. from scanners).
                LOG.fine(() -> "WebSocket connection from " + ctx.channel().remoteAddress() + " failed before its"
                        + " handshake: " + cause.getClass().getSimpleName());
                ctx.close();
            }
        });
    }

    /** Stops listening and closes every connection; a second call does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Channel listener : listeners) {
            listener.close().syncUninterruptibly();
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Counts open connections across all listeners and closes any beyond the limit as soon as it is accepted, before
     * TLS state is made for it. Refusals are logged at most once a minute: a flood must not flood the log too.
     */
    static final class ConnectionLimit {
        private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
        private final int max;
        private final AtomicInteger open = new AtomicInteger();
        private final java.util.concurrent.atomic.AtomicLong lastWarning = new java.util.concurrent.atomic.AtomicLong(
                System.nanoTime() - WARN_EVERY_NANOS);
        private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();

        ConnectionLimit(int max) {
            this.max = max;
        }

        /** True if {@code ch} may open (it is counted until it closes); false after closing it. */
        boolean admit(Channel ch) {
            if (open.incrementAndGet() > max) {
                open.decrementAndGet();
                long count = refused.incrementAndGet();
                long now = System.nanoTime();
                long last = lastWarning.get();
                if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
                    LOG.warning(() -> "Connection limit of " + max + " reached; " + count
                            + " connection(s) refused so far (DPS_FRONTDOOR_MAX_CONNECTIONS)");
                }
                ch.close();
                return false;
            }
            ch.closeFuture().addListener(closed -> open.decrementAndGet());
            return true;
        }

        int open() {
            return open.get();
        }
    }

    /** Closes a connection on which nothing was read for the idle timeout. */
    @ChannelHandler.Sharable
    static final class IdleClose extends ChannelInboundHandlerAdapter {
        static final IdleClose INSTANCE = new IdleClose();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, event);
            }
        }
    }

    /**
     * Rewrites an absolute-form request target ({@code GET https://host:443/path HTTP/1.1}, which servers must accept,
     * RFC 9112 §3.2.2) to its origin form, so the WebSocket path check sees {@code /path}: the Java SDK's AMQP over
     * WebSockets sends the absolute form.
     */
    @ChannelHandler.Sharable
    static final class OriginFormTarget extends ChannelInboundHandlerAdapter {
        static final OriginFormTarget INSTANCE = new OriginFormTarget();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                String uri = request.uri();
                int scheme = uri.indexOf("://");
                if (scheme > 0 && uri.substring(0, scheme).matches("(?i)https?")) {
                    int path = uri.indexOf('/', scheme + 3);
                    request.setUri(path < 0 ? "/" : uri.substring(path));
                }
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Binary (and continuation) WebSocket frames in, their bytes out to the protocol; its bytes back as binary frames. */
    static final class WebSocketBytes extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
                ctx.fireChannelRead(((WebSocketFrame) msg).content());
            } else if (msg instanceof WebSocketFrame) {
                // Text frames are not part of either protocol's WebSocket binding.
                ReferenceCountUtil.release(msg);
                ctx.close();
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf bytes) {
                ctx.write(new BinaryWebSocketFrame(bytes), promise);
            } else {
                ctx.write(msg, promise);
            }
        }
    }
}
