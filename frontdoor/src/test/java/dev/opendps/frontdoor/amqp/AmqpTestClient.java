package dev.opendps.frontdoor.amqp;

import com.microsoft.azure.proton.transport.ws.impl.WebSocketImpl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.UnsignedInteger;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.amqp.transport.Transfer;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.engine.TransportException;
import org.apache.qpid.proton.engine.impl.TransportInternal;
import org.apache.qpid.proton.message.Message;

/**
 * A bare AMQP 1.0 client for protocol tests: a Proton-J engine over a blocking TLS socket, driven by the test's
 * own thread ({@link #await}), optionally with SASL and the WebSocket layer the Java SDK uses. Tests reach into
 * its proton objects to do what no SDK does.
 */
final class AmqpTestClient implements AutoCloseable {
    static final Duration PATIENCE = Duration.ofSeconds(20);

    final SSLSocket socket;
    final Transport transport;
    final Connection connection = Proton.connection();
    final Sasl sasl;
    Session session;
    Sender sender;
    Receiver receiver;
    /** How the receiving link opened by {@link #openLinks} asks answers to be settled (null: proton's default). */
    SenderSettleMode answerSettleMode;
    /** The credit {@link #openLinks} grants the server for answers. */
    int answerCredit = 10;
    private final InputStream input;
    private final OutputStream output;
    private boolean serverClosed;
    private long nextTag;

    private AmqpTestClient(SSLSocket socket, boolean withSasl, String webSocketPath) throws IOException {
        this.socket = socket;
        this.input = socket.getInputStream();
        this.output = socket.getOutputStream();
        socket.setSoTimeout(20);
        transport = Proton.transport();
        sasl = withSasl ? transport.sasl() : null;
        if (webSocketPath != null) {
            WebSocketImpl webSocket = new WebSocketImpl(256 * 1024);
            webSocket.configure("localhost", webSocketPath, "iothub-no-client-cert=true", 443, "AMQPWSB10", null, null);
            ((TransportInternal) transport).addTransportLayer(webSocket);
        }
        transport.bind(connection);
    }

    /** Connects over TLS with {@code tls}; {@code withSasl} false sends the plain AMQP header (X.509 devices). */
    static AmqpTestClient connect(int port, SSLContext tls, boolean withSasl) throws IOException {
        return connect(port, tls, withSasl, null);
    }

    /** The same over WebSockets on {@code path} (subprotocol AMQPWSB10), as the SDKs' AMQP-over-WebSocket. */
    static AmqpTestClient connect(int port, SSLContext tls, boolean withSasl, String webSocketPath) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        socket.startHandshake();
        return new AmqpTestClient(socket, withSasl, webSocketPath);
    }

    /** SASL PLAIN with this authcid and password (the SAS token). */
    AmqpTestClient plain(String authcid, String password) {
        sasl.plain(authcid, password);
        return this;
    }

    /** Writes what proton has, reads what the server sent (waiting a little), and feeds it to proton. */
    void pump() throws IOException {
        while (true) {
            int pending;
            try {
                pending = transport.pending();
            } catch (TransportException e) {
                break;
            }
            if (pending <= 0) {
                break;
            }
            ByteBuffer head = transport.head();
            byte[] bytes = new byte[pending];
            head.duplicate().get(bytes);
            transport.pop(pending);
            if (!serverClosed) {
                try {
                    output.write(bytes);
                    output.flush();
                } catch (IOException closed) {
                    serverClosed = true;
                }
            }
        }
        if (serverClosed) {
            return;
        }
        byte[] buffer = new byte[16 * 1024];
        int read;
        try {
            read = input.read(buffer);
        } catch (SocketTimeoutException nothingYet) {
            return;
        } catch (IOException reset) {
            read = -1;
        }
        if (read < 0) {
            serverClosed = true;
            transport.close_tail();
            return;
        }
        int offset = 0;
        while (offset < read) {
            int capacity = transport.capacity();
            if (capacity <= 0) {
                return;
            }
            int count = Math.min(capacity, read - offset);
            transport.tail().put(buffer, offset, count);
            offset += count;
            try {
                transport.process();
            } catch (TransportException e) {
                return;
            }
        }
    }

    /** Drives the connection until {@code condition} holds; false if it does not within {@link #PATIENCE}. */
    boolean await(BooleanSupplier condition) throws IOException {
        return await(condition, PATIENCE);
    }

    boolean await(BooleanSupplier condition, Duration patience) throws IOException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            pump();
        }
        return true;
    }

    /** Whether the server closed the TCP connection (read end of stream, or a reset). */
    boolean serverClosed() {
        return serverClosed;
    }

    /** Waits for the server to close the connection. */
    boolean awaitServerClose(Duration patience) throws IOException {
        return await(this::serverClosed, patience);
    }

    /** Waits for the SASL outcome. */
    Sasl.SaslOutcome saslOutcome() throws IOException {
        await(() -> sasl.getOutcome() != Sasl.SaslOutcome.PN_SASL_NONE || serverClosed);
        return sasl.getOutcome();
    }

    /** Opens the connection, a session, a receiving and a sending link on {@code address}, and waits for them. */
    AmqpTestClient openLinks(String address) throws IOException {
        connection.setContainer("opendps-test-device");
        connection.setHostname("localhost");
        connection.open();
        session = connection.session();
        session.open();
        receiver = session.receiver("test-receiver");
        Source source = new Source();
        source.setAddress(address);
        receiver.setSource(source);
        receiver.setTarget(new Target());
        if (answerSettleMode != null) {
            receiver.setSenderSettleMode(answerSettleMode);
        }
        receiver.open();
        receiver.flow(answerCredit);
        sender = session.sender("test-sender");
        Target target = new Target();
        target.setAddress(address);
        sender.setTarget(target);
        sender.setSource(new Source());
        sender.open();
        await(() -> serverClosed || (sender.getRemoteState() != EndpointState.UNINITIALIZED
                && receiver.getRemoteState() != EndpointState.UNINITIALIZED));
        return this;
    }

    /** Sends {@code message} unsettled on the sending link. */
    Delivery send(Message message) {
        byte[] encoded = encode(message);
        Delivery delivery = sender.delivery(Long.toString(nextTag++).getBytes(StandardCharsets.US_ASCII));
        sender.send(encoded, 0, encoded.length);
        sender.advance();
        return delivery;
    }

    /** Waits for the server's outcome of {@code delivery} (accepted or rejected). */
    Delivery awaitOutcome(Delivery delivery) throws IOException {
        await(() -> delivery.getRemoteState() != null || serverClosed);
        return delivery;
    }

    /** Waits for the next message on the receiving link; null if none came. */
    Message awaitAnswer() throws IOException {
        await(() -> serverClosed || (receiver.current() != null && receiver.current().isReadable()
                && !receiver.current().isPartial()));
        Delivery delivery = receiver.current();
        if (delivery == null || !delivery.isReadable() || delivery.isPartial()) {
            return null;
        }
        byte[] bytes = new byte[delivery.pending()];
        int read = receiver.recv(bytes, 0, bytes.length);
        receiver.advance();
        delivery.settle();
        Message message = Message.Factory.create();
        message.decode(bytes, 0, read);
        return message;
    }

    /** Takes what proton has to send without sending it, so a test can write it together with frames of its own. */
    byte[] takePending() {
        ByteArrayOutputStream taken = new ByteArrayOutputStream();
        while (transport.pending() > 0) {
            byte[] bytes = new byte[transport.pending()];
            transport.head().duplicate().get(bytes);
            transport.pop(bytes.length);
            taken.writeBytes(bytes);
        }
        return taken.toByteArray();
    }

    /**
     * A transfer frame carrying all of {@code message} unsettled, on session {@code channel} and link
     * {@code handle} (proton numbers a client's links from 0 in the order they were opened): what proton itself
     * would not send, e.g. beyond the link's credit. {@code deliveryId}s must follow each other on the session.
     */
    static byte[] transferFrame(int channel, int handle, long deliveryId, Message message) {
        DecoderImpl decoder = new DecoderImpl();
        EncoderImpl encoder = new EncoderImpl(decoder);
        AMQPDefinedTypes.registerAllTypes(decoder, encoder);
        Transfer transfer = new Transfer();
        transfer.setHandle(UnsignedInteger.valueOf(handle));
        transfer.setDeliveryId(UnsignedInteger.valueOf(deliveryId));
        transfer.setDeliveryTag(new Binary(("raw-" + deliveryId).getBytes(StandardCharsets.US_ASCII)));
        transfer.setMessageFormat(UnsignedInteger.ZERO);
        transfer.setSettled(false);
        byte[] payload = encode(message);
        ByteBuffer frame = ByteBuffer.allocate(8 + 256 + payload.length);
        frame.position(8); // size, data offset 2 (words), type 0 (AMQP), channel: AMQP 1.0 §2.3.1
        encoder.setByteBuffer(frame);
        encoder.writeObject(transfer);
        frame.put(payload);
        int size = frame.position();
        frame.putInt(0, size).put(4, (byte) 2).put(5, (byte) 0).putShort(6, (short) channel);
        return Arrays.copyOf(frame.array(), size);
    }

    /** Writes bytes straight to the socket, around proton. */
    void writeRaw(byte[] bytes) throws IOException {
        output.write(bytes);
        output.flush();
    }

    /** Reads what the server sends until it closes or {@code patience} passes, around proton. */
    byte[] readRaw(Duration patience) throws IOException {
        long deadline = System.nanoTime() + patience.toNanos();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (System.nanoTime() < deadline) {
            int read;
            try {
                read = input.read(buffer);
            } catch (SocketTimeoutException nothingYet) {
                continue;
            } catch (IOException reset) {
                read = -1;
            }
            if (read < 0) {
                serverClosed = true;
                break;
            }
            received.write(buffer, 0, read);
        }
        return received.toByteArray();
    }

    static Message request(String operation, String correlationId, Map<String, Object> properties, byte[] body) {
        Message message = Message.Factory.create();
        Map<String, Object> all = new LinkedHashMap<>(properties);
        all.put("iotdps-operation-type", operation);
        message.setApplicationProperties(new ApplicationProperties(all));
        if (correlationId != null) {
            message.setCorrelationId(correlationId);
        }
        if (body != null) {
            message.setBody(new Data(new Binary(body)));
        }
        return message;
    }

    static byte[] encode(Message message) {
        byte[] buffer = new byte[1024];
        while (true) {
            try {
                int length = message.encode(buffer, 0, buffer.length);
                return Arrays.copyOf(buffer, length);
            } catch (BufferOverflowException tooSmall) {
                buffer = new byte[buffer.length * 2];
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
