package dev.opendps.frontdoor.mqtt;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An MQTT 3.1.1 client made of Netty's codec, for protocol-level tests: it sends exactly the packets (or bytes) a
 * test gives it, over TLS or over a WebSocket, and queues every packet the server sends back.
 */
final class RawMqttClient implements AutoCloseable {
    private final EventLoopGroup group;
    private final BlockingQueue<MqttMessage> queue;
    private final CountDownLatch closedLatch;
    private final Channel channel;
    private boolean sessionPresent;

    private RawMqttClient(EventLoopGroup group, BlockingQueue<MqttMessage> queue, CountDownLatch closed,
                          Channel channel) {
        this.group = group;
        this.queue = queue;
        this.closedLatch = closed;
        this.channel = channel;
    }

    /** Over TLS to {@code 127.0.0.1:port}. */
    static RawMqttClient tls(int port, SslContext tls) throws Exception {
        return open(port, tls, null, 0);
    }

    /** Over TLS, with a socket receive buffer of this many bytes (a client that reads slowly). */
    static RawMqttClient tls(int port, SslContext tls, int receiveBufferBytes) throws Exception {
        return open(port, tls, null, receiveBufferBytes);
    }

    /** Over a WebSocket (subprotocol {@code mqtt}) on {@code path}, over TLS to {@code 127.0.0.1:port}. */
    static RawMqttClient webSocket(int port, SslContext tls, String path) throws Exception {
        return webSocket(port, tls, path, "mqtt");
    }

    /** Over a WebSocket asking for {@code subprotocol} (the C SDK asks for {@code MQTT}). */
    static RawMqttClient webSocket(int port, SslContext tls, String path, String subprotocol) throws Exception {
        return open(port, tls, path, subprotocol, 0);
    }

    private static RawMqttClient open(int port, SslContext tls, String webSocketPath, int receiveBufferBytes)
            throws Exception {
        return open(port, tls, webSocketPath, "mqtt", receiveBufferBytes);
    }

    private static RawMqttClient open(int port, SslContext tls, String webSocketPath, String subprotocol,
                                      int receiveBufferBytes) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        BlockingQueue<MqttMessage> queue = new LinkedBlockingQueue<>();
        CountDownLatch closed = new CountDownLatch(1);
        CountDownLatch upgraded = new CountDownLatch(webSocketPath == null ? 0 : 1);
        try {
            Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
            if (receiveBufferBytes > 0) {
                bootstrap.option(ChannelOption.SO_RCVBUF, receiveBufferBytes);
            }
            Channel channel = bootstrap
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ChannelPipeline pipeline = ch.pipeline();
                            pipeline.addLast(tls.newHandler(ch.alloc(), "localhost", port));
                            if (webSocketPath != null) {
                                pipeline.addLast(new HttpClientCodec());
                                pipeline.addLast(new HttpObjectAggregator(8192));
                                pipeline.addLast(new WebSocketClientProtocolHandler(
                                        WebSocketClientHandshakerFactory.newHandshaker(
                                                URI.create("wss://localhost:" + port + webSocketPath),
                                                WebSocketVersion.V13, subprotocol, false, new DefaultHttpHeaders(),
                                                65536)));
                                pipeline.addLast(new WebSocketBytes(upgraded));
                            }
                            pipeline.addLast(new MqttDecoder(1024 * 1024));
                            pipeline.addLast(MqttEncoder.INSTANCE);
                            pipeline.addLast(new SimpleChannelInboundHandler<MqttMessage>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
                                    queue.add(ReferenceCountUtil.retain(msg));
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    closed.countDown();
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    ctx.close();
                                }
                            });
                        }
                    })
                    .connect("127.0.0.1", port).sync().channel();
            if (!upgraded.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("The WebSocket handshake did not complete");
            }
            return new RawMqttClient(group, queue, closed, channel);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    Channel channel() {
        return channel;
    }

    // --- packets ----------------------------------------------------------------------------------------

    /** CONNECT as an SDK sends it; returns the CONNACK's code, or null if the server closed without one. */
    MqttConnectReturnCode connect(String clientId, String username, String password, boolean cleanSession,
                                  int keepAliveSeconds) throws InterruptedException {
        MqttMessageBuilders.ConnectBuilder connect = MqttMessageBuilders.connect()
                .protocolVersion(MqttVersion.MQTT_3_1_1)
                .clientId(clientId)
                .cleanSession(cleanSession)
                .keepAlive(keepAliveSeconds);
        if (username != null) {
            connect.hasUser(true).username(username);
        }
        if (password != null) {
            connect.hasPassword(true).password(password.getBytes(StandardCharsets.UTF_8));
        }
        send(connect.build());
        MqttMessage answer = next(Duration.ofSeconds(10));
        if (answer == null) {
            return null;
        }
        MqttConnAckMessage connAck = (MqttConnAckMessage) answer;
        this.sessionPresent = connAck.variableHeader().isSessionPresent();
        return connAck.variableHeader().connectReturnCode();
    }

    boolean sessionPresent() {
        return sessionPresent;
    }

    /** SUBSCRIBE to one filter; returns the granted QoS value (0x80 for a refusal). */
    int subscribe(String filter, MqttQoS qos) throws InterruptedException {
        send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(qos, filter).build());
        MqttSubAckMessage ack = (MqttSubAckMessage) next(Duration.ofSeconds(10));
        return ack.payload().grantedQoSLevels().get(0);
    }

    void publish(String topic, MqttQoS qos, String payload) {
        publish(topic, qos, payload.getBytes(StandardCharsets.UTF_8), 7);
    }

    void publish(String topic, MqttQoS qos, byte[] payload, int packetId) {
        send(MqttMessageBuilders.publish().topicName(topic).qos(qos).retained(false)
                .messageId(qos == MqttQoS.AT_MOST_ONCE ? 0 : packetId)
                .payload(Unpooled.wrappedBuffer(payload)).build());
    }

    void send(Object packetOrBytes) {
        channel.writeAndFlush(packetOrBytes);
    }

    /** Stops reading from the socket (the server's answers pile up in TCP), or resumes. */
    void reading(boolean read) {
        channel.config().setAutoRead(read);
    }

    /** The next packet the server sent within {@code timeout}, or null. */
    MqttMessage next(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            MqttMessage message = queue.poll(50, TimeUnit.MILLISECONDS);
            if (message != null || (isClosed() && queue.isEmpty())) {
                return message;
            }
        }
        return null;
    }

    /** The next PUBLISH, skipping acknowledgements; fails if none comes within 10 s. */
    Answer answer() throws InterruptedException {
        while (true) {
            MqttMessage message = next(Duration.ofSeconds(10));
            if (message == null) {
                throw new AssertionError("no answer within 10 s" + (isClosed() ? " (the server closed)" : ""));
            }
            if (message.fixedHeader().messageType() == MqttMessageType.PUBLISH) {
                MqttPublishMessage publish = (MqttPublishMessage) message;
                Answer answer = new Answer(publish.variableHeader().topicName(), publish.fixedHeader().qosLevel(),
                        publish.variableHeader().packetId(), publish.payload().toString(StandardCharsets.UTF_8));
                publish.release();
                return answer;
            }
        }
    }

    record Answer(String topic, MqttQoS qos, int packetId, String body) {
    }

    boolean awaitClosed(Duration timeout) throws InterruptedException {
        return closedLatch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean isClosed() {
        return closedLatch.getCount() == 0;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Binary WebSocket frames to bytes and back, once the handshake completed. */
    private static final class WebSocketBytes extends ChannelDuplexHandler {
        private final CountDownLatch upgraded;

        WebSocketBytes(CountDownLatch upgraded) {
            this.upgraded = upgraded;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                upgraded.countDown();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof WebSocketFrame frame) {
                ctx.fireChannelRead(frame.content());
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ctx.write(msg instanceof ByteBuf bytes ? new BinaryWebSocketFrame(bytes) : msg, promise);
        }
    }
}
