package dev.opendps.frontdoor.amqp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.api.ApiCall;
import dev.opendps.api.ApiResponse;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.Identifiers;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.x509.CertificateParser;
import dev.opendps.frontdoor.DeviceGateway;
import dev.opendps.frontdoor.FrontDoorConnection;
import dev.opendps.frontdoor.FrontDoorSettings;
import dev.opendps.wire.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.ReceiverSettleMode;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.Collector;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.engine.TransportException;

/**
 * One AMQP device connection (dps-protocol.md §3.2): the bytes the front door delivers (after TLS, and WebSocket
 * framing on that listener) go into a Proton-J transport, its output goes back to the channel, and its events
 * drive the exchange: the SASL layer ({@link DeviceSasl}) or none (X.509 devices send the plain AMQP header), the
 * open, one session with a sender and a receiver link on {@code {idScope}/registrations/{registrationId}}, and
 * each request message answered on the receiver link with the registration core's answer.
 *
 * <p>Everything here runs on the channel's event loop; gateway calls complete on worker threads and come back
 * through {@link #later}. Limits: frames of at most {@code DPS_FRONTDOOR_MAX_MESSAGE_BYTES} (and messages of at
 * most that), {@value #LINK_CREDIT} requests in flight per link, {@value #MAX_LINKS} links and
 * {@value #MAX_SESSIONS} sessions per connection, the front door's idle timeout as AMQP idle-time-out, and the
 * handshake deadline until the AMQP open (a client that never finishes SASL is closed by it).
 */
final class AmqpConnectionHandler extends ChannelInboundHandlerAdapter implements DeviceSasl.Host {
    static final byte[] AMQP_HEADER = {'A', 'M', 'Q', 'P', 0, 1, 0, 0};
    static final byte[] SASL_HEADER = {'A', 'M', 'Q', 'P', 3, 1, 0, 0};
    /**
     * SASL frames accepted before the open (AMQP guarantees only 512 bytes): a TPM init carries the endorsement key,
     * an ID scope and a registration id of up to 128 characters, which can pass 512 with the framing.
     */
    static final int SASL_FRAME_BYTES = 2048;
    /** Requests a device may have in flight on one link; each answer grants one more. */
    static final int LINK_CREDIT = 8;
    static final int MAX_LINKS = 8;
    /**
     * Answers one link may hold that the device has not settled (when it asked to settle them) or not taken (no
     * credit): proton keeps each until then, so a device past this is closed.
     */
    static final int MAX_UNSETTLED_ANSWERS = 64;
    static final int MAX_SESSIONS = 4;
    private static final String CONTAINER_ID = "opendps-frontdoor";
    private static final Symbol NOT_FOUND = Symbol.valueOf("amqp:not-found");
    private static final Symbol UNAUTHORIZED = Symbol.valueOf("amqp:unauthorized-access");
    private static final Symbol RESOURCE_LIMIT = Symbol.valueOf("amqp:resource-limit-exceeded");
    private static final Symbol MESSAGE_TOO_LARGE = Symbol.valueOf("amqp:link:message-size-exceeded");
    private static final Object IN_FLIGHT = new Object();
    private static final Object SERVED_SESSION = new Object();
    private static final Logger LOG = Logger.getLogger(AmqpConnectionHandler.class.getName());

    private final DeviceGateway gateway;
    private final FrontDoorSettings settings;
    private final FrontDoorConnection frontDoor;
    private final ApiCall errors;
    private final byte[] header = new byte[AMQP_HEADER.length];
    private int headerBytes;
    private ChannelHandlerContext ctx;
    private Transport transport;
    private Connection connection;
    private Collector collector;
    private DeviceSasl sasl;
    private boolean closed;
    private boolean closeWhenWritten;
    /** The connection is being closed for the client's fault: every later frame is ignored until it is written. */
    private boolean ending;
    private ScheduledFuture<?> tick;
    private int sessions;
    private int links;
    private long nextTag;

    AmqpConnectionHandler(DeviceGateway gateway, FrontDoorSettings settings, FrontDoorConnection frontDoor,
                          ApiCall errors) {
        this.gateway = gateway;
        this.settings = settings;
        this.frontDoor = frontDoor;
        this.errors = errors;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (closed) {
                return;
            }
            if (transport == null && !readHeader(bytes)) {
                return;
            }
            feed(bytes);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "AMQP connection from " + ctx.channel().remoteAddress() + " failed; closing", e);
            shut();
        } finally {
            bytes.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        if (tick != null) {
            tick.cancel(false);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "AMQP connection from " + ctx.channel().remoteAddress() + " failed", cause);
        shut();
    }

    // --- protocol header (AMQP 1.0 §2.2, SASL §5.3.1) --------------------------------------------------

    /**
     * Collects the 8-byte protocol header: {@code AMQP 3 1 0 0} starts the SASL layer, {@code AMQP 0 1 0 0} skips it
     * (X.509 devices, §3.2). Anything else is answered with the header this server speaks, and closed (AMQP §2.2).
     */
    private boolean readHeader(ByteBuf bytes) {
        int count = Math.min(header.length - headerBytes, bytes.readableBytes());
        bytes.readBytes(header, headerBytes, count);
        headerBytes += count;
        for (int i = 0; i < Math.min(headerBytes, 4); i++) {
            if (header[i] != AMQP_HEADER[i]) {
                refuseHeader();
                return false;
            }
        }
        if (headerBytes < header.length) {
            return false;
        }
        boolean withSasl = Arrays.equals(header, SASL_HEADER);
        if (!withSasl && !Arrays.equals(header, AMQP_HEADER)) {
            refuseHeader();
            return false;
        }
        start(withSasl);
        feed(Unpooled.wrappedBuffer(header));
        return !closed;
    }

    private void refuseHeader() {
        LOG.fine(() -> "Not an AMQP 1.0 client at " + ctx.channel().remoteAddress() + "; closing");
        closed = true;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(SASL_HEADER)).addListener(ChannelFutureListener.CLOSE);
    }

    private void start(boolean withSasl) {
        transport = Proton.transport();
        transport.setMaxFrameSize(settings.maxMessageBytes());
        transport.setInitialRemoteMaxFrameSize(SASL_FRAME_BYTES);
        transport.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, settings.idleTimeout().toMillis()));
        connection = Proton.connection();
        collector = Proton.collector();
        connection.collect(collector);
        if (withSasl) {
            Sasl layer = transport.sasl();
            layer.server();
            layer.allowSkip(false);
            layer.setMechanisms(DeviceSasl.MECHANISMS);
            sasl = new DeviceSasl(gateway, this);
            layer.setListener(sasl);
        }
        transport.bind(connection);
    }

    // --- bytes in and out ------------------------------------------------------------------------------

    private void feed(ByteBuf bytes) {
        while (bytes.isReadable() && !closed) {
            int capacity = transport.capacity();
            if (capacity <= 0) {
                // The transport ended its input (an error or a close); what follows is not read.
                bytes.skipBytes(bytes.readableBytes());
                break;
            }
            ByteBuffer tail = transport.tail();
            int count = Math.min(tail.remaining(), bytes.readableBytes());
            tail.put(bytes.nioBuffer(bytes.readerIndex(), count));
            bytes.skipBytes(count);
            try {
                transport.process();
            } catch (TransportException malformed) {
                LOG.fine(() -> "AMQP framing error from " + ctx.channel().remoteAddress() + ": "
                        + malformed.getMessage());
                shut();
                return;
            }
            processEvents();
        }
        pump();
    }

    /** Writes what proton has to send, keeps its heartbeat timer, and closes the channel once proton is done. */
    private void pump() {
        if (closed || transport == null) {
            return;
        }
        long now = TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
        long deadline = transport.tick(now);
        boolean ended = false;
        boolean wrote = false;
        while (true) {
            int pending;
            try {
                pending = transport.pending();
            } catch (TransportException e) {
                ended = true;
                break;
            }
            if (pending <= 0) {
                ended = pending < 0;
                break;
            }
            ByteBuffer head = transport.head().duplicate();
            int count = Math.min(pending, head.remaining());
            head.limit(head.position() + count);
            ByteBuf out = ctx.alloc().buffer(count);
            out.writeBytes(head);
            transport.pop(count);
            ctx.write(out);
            wrote = true;
        }
        if (ended || closeWhenWritten || (sasl != null && sasl.failed())) {
            closed = true;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (wrote) {
            ctx.flush();
        }
        if (tick != null) {
            tick.cancel(false);
            tick = null;
        }
        if (deadline != 0) {
            tick = ctx.executor().schedule(this::pump, Math.max(1, deadline - now), TimeUnit.MILLISECONDS);
        }
    }

    private void shut() {
        closed = true;
        ctx.close();
    }

    @Override
    public void later(Runnable step) {
        try {
            ctx.executor().execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    step.run();
                    processEvents();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "AMQP connection from " + ctx.channel().remoteAddress()
                            + " failed; closing", e);
                    shut();
                    return;
                }
                pump();
            });
        } catch (RejectedExecutionException shuttingDown) {
            // the front door is stopping; the connection goes with it
        }
    }

    @Override
    public void pauseReading() {
        ctx.channel().config().setAutoRead(false);
    }

    @Override
    public void resumeReading() {
        ctx.channel().config().setAutoRead(true);
    }

    // --- events ----------------------------------------------------------------------------------------

    private void processEvents() {
        for (Event event = collector.peek(); event != null && !closed; event = collector.peek()) {
            try {
                handle(event);
            } finally {
                collector.pop();
            }
        }
    }

    private void handle(Event event) {
        if (ending) {
            return; // the connection is being closed for the client's fault; nothing it sent after is served
        }
        switch (event.getType()) {
            case CONNECTION_REMOTE_OPEN -> open();
            case CONNECTION_REMOTE_CLOSE -> {
                connection.close();
                closeWhenWritten = true;
            }
            case SESSION_REMOTE_OPEN -> session(event.getSession());
            case SESSION_REMOTE_CLOSE -> sessionEnded(event.getSession());
            case LINK_REMOTE_OPEN -> link(event.getLink());
            case LINK_REMOTE_CLOSE, LINK_REMOTE_DETACH -> linkEnded(event.getLink(), event.getType());
            case DELIVERY -> delivery(event.getDelivery());
            case TRANSPORT_ERROR -> LOG.fine(() -> "AMQP transport error from " + ctx.channel().remoteAddress() + ": "
                    + transport.getCondition());
            case TRANSPORT_CLOSED -> closeWhenWritten = true;
            default -> {
                // other events need nothing
            }
        }
    }

    /**
     * The AMQP open: from here on the handshake deadline no longer applies. A connection without a SASL identity
     * (no SASL, or {@code EXTERNAL}) is an X.509 device's (§3.2): without a TLS client certificate whose CN is a
     * registration id it is opened and closed at once with {@code amqp:unauthorized-access} (AMQP §2.4.2), and
     * nothing it sends after reaches the registration core.
     */
    private void open() {
        if (sasl != null && (!sasl.done() || sasl.failed())) {
            shut(); // never serve a connection whose SASL exchange did not succeed
            return;
        }
        connection.setContainer(CONTAINER_ID);
        if ((sasl == null || sasl.device() == null) && !hasDeviceCertificate()) {
            LOG.fine(() -> "Refusing an AMQP connection from " + ctx.channel().remoteAddress()
                    + ": no SASL identity and no client certificate naming a registration id");
            connection.open();
            end(UNAUTHORIZED, "Authenticate with SASL PLAIN or TPM, or with a TLS client certificate whose CN is the "
                    + "registration id.");
            return;
        }
        frontDoor.opened();
        connection.open();
    }

    /** Closes the connection with {@code condition} (AMQP §2.7.9) and serves nothing the client sends after. */
    private void end(Symbol condition, String description) {
        ending = true;
        connection.setCondition(new ErrorCondition(condition, description));
        connection.close();
        closeWhenWritten = true;
    }

    /** Whether the client presented a TLS certificate whose subject CN is a valid registration id (§2.3). */
    private boolean hasDeviceCertificate() {
        List<X509Certificate> chain = frontDoor.clientCertificates();
        if (chain.isEmpty()) {
            return false;
        }
        try {
            String commonName = CertificateParser.parse(Base64.getEncoder().encodeToString(chain.get(0).getEncoded()))
                    .commonName();
            return commonName != null && Identifiers.registrationId(commonName) != null;
        } catch (ProvisioningException | CertificateEncodingException notADeviceCertificate) {
            return false;
        }
    }

    private void session(Session session) {
        if (sessions >= MAX_SESSIONS) {
            session.setCondition(new ErrorCondition(RESOURCE_LIMIT, "At most " + MAX_SESSIONS + " sessions."));
            session.open();
            session.close();
            return;
        }
        sessions++;
        session.setContext(SERVED_SESSION);
        session.open();
    }

    /**
     * The device ended a session: it no longer counts against the limits, nor do the links it had on it (ending a
     * session ends its links without a detach), and proton lets go of it.
     */
    private void sessionEnded(Session session) {
        if (session.getContext() == SERVED_SESSION) {
            sessions--;
            session.setContext(null);
            EnumSet<EndpointState> any = EnumSet.allOf(EndpointState.class);
            for (Link link = connection.linkHead(any, any); link != null; link = link.next(any, any)) {
                if (link.getSession() == session && link.getContext() instanceof Served served) {
                    links--;
                    served.ended = true;
                    link.setContext(null);
                }
            }
        }
        if (session.getLocalState() != EndpointState.CLOSED) {
            session.close();
        }
        session.free();
    }

    /**
     * A link on {@code …{idScope}/registrations/{registrationId}}: a device that authenticated with SASL may only
     * name itself; a certificate device's requests are authenticated per request. Refused links are attached with
     * no terminus and detached with the reason, as AMQP §2.6.3 describes.
     */
    private void link(Link link) {
        boolean receiving = link instanceof Receiver;
        String address = receiving
                ? (link.getRemoteTarget() == null ? null : link.getRemoteTarget().getAddress())
                : (link.getRemoteSource() == null ? null : link.getRemoteSource().getAddress());
        RegistrationAddress named = RegistrationAddress.parse(address).orElse(null);
        DeviceSasl.Device device = sasl == null ? null : sasl.device();
        link.setSource(link.getRemoteSource());
        link.setTarget(link.getRemoteTarget());
        if (named == null) {
            refuse(link, NOT_FOUND, "A link address is {idScope}/registrations/{registrationId}.");
        } else if (device != null && !device.address().sameDevice(named)) {
            refuse(link, UNAUTHORIZED, "The link names another device than the one that authenticated.");
        } else if (links >= MAX_LINKS) {
            refuse(link, RESOURCE_LIMIT, "At most " + MAX_LINKS + " links.");
        } else {
            links++;
            link.setContext(new Served(named));
            SenderSettleMode asked = link.getRemoteSenderSettleMode();
            link.setSenderSettleMode(asked == null ? SenderSettleMode.MIXED : asked);
            if (link instanceof Receiver receiver) {
                receiver.setReceiverSettleMode(ReceiverSettleMode.FIRST);
                receiver.setMaxMessageSize(UnsignedLong.valueOf(settings.maxMessageBytes()));
                receiver.open();
                receiver.flow(LINK_CREDIT);
            } else {
                link.open();
            }
        }
    }

    private void refuse(Link link, Symbol condition, String description) {
        LOG.fine(() -> "Refusing an AMQP link from " + ctx.channel().remoteAddress() + ": " + description);
        if (link instanceof Receiver) {
            link.setTarget(null);
        } else {
            link.setSource(null);
        }
        link.setCondition(new ErrorCondition(condition, description));
        link.open();
        link.close();
    }

    /**
     * The device detached a link: it is ended here too and freed, with any delivery proton still holds for it (an
     * answer the device never settled, the rest of an oversize message), so opening and closing links costs nothing.
     */
    private void linkEnded(Link link, Event.Type type) {
        if (link.getContext() instanceof Served served) {
            links--;
            served.ended = true;
            link.setContext(null);
        }
        if (link.getLocalState() != EndpointState.CLOSED) {
            if (type == Event.Type.LINK_REMOTE_DETACH) {
                link.detach();
            } else {
                link.close();
            }
        }
        link.free();
    }

    // --- requests and answers ------------------------------------------------------------------------

    private void delivery(Delivery delivery) {
        Link link = delivery.getLink();
        if (link instanceof Sender) {
            if (delivery.remotelySettled()) {
                delivery.settle(); // an answer the device settled (C# asks for unsettled answers)
            }
            return;
        }
        Receiver receiver = (Receiver) link;
        if (receiver.getLocalState() == EndpointState.CLOSED) {
            discard(receiver, delivery); // the rest of a message on a link closed for its size
            return;
        }
        if (delivery.getContext() == IN_FLIGHT || !(receiver.getContext() instanceof Served served)) {
            return;
        }
        RegistrationAddress address = served.address;
        if (delivery.isAborted()) {
            delivery.settle();
            receiver.flow(1);
            return;
        }
        if (delivery.pending() > settings.maxMessageBytes()) {
            tooLarge(receiver, delivery);
            return;
        }
        if (delivery.isPartial() || !delivery.isReadable() || delivery != receiver.current()) {
            return;
        }
        if (served.inFlight >= LINK_CREDIT) {
            // Proton takes transfers whatever the credit; a client past it would fill the gateway's queue
            // (AMQP §2.6.7: a sender must not send without credit).
            LOG.fine(() -> "An AMQP client at " + ctx.channel().remoteAddress() + " sent past its link credit; closing");
            end(RESOURCE_LIMIT, "More transfers than the link credit granted (" + LINK_CREDIT + " in flight).");
            return;
        }
        served.inFlight++;
        byte[] encoded = new byte[delivery.pending()];
        int length = receiver.recv(encoded, 0, encoded.length);
        receiver.advance();
        delivery.setContext(IN_FLIGHT);
        RegistrationMessages.Request request;
        try {
            request = RegistrationMessages.read(encoded, Math.max(0, length));
        } catch (ProvisioningException malformed) {
            finish(receiver, served, delivery, null, refusal(malformed, address));
            return;
        }
        DeviceSasl.Device device = sasl == null ? null : sasl.device();
        DeviceGateway.Credentials credentials = frontDoor.credentials(device == null ? null : device.sasToken());
        CompletableFuture<ApiResponse> answer = RegistrationMessages.REGISTER.equals(request.operation())
                ? gateway.register(address.idScope(), address.registrationId(), credentials,
                        registerBody(request.body(), device))
                : gateway.operationStatus(address.idScope(), address.registrationId(), request.operationId(),
                        credentials);
        answer.whenComplete((response, error) -> later(() -> finish(receiver, served, delivery, request,
                response != null ? response : refusal(new ProvisioningException(ErrorCode.INTERNAL_ERROR), address))));
    }

    /**
     * A TPM device's register over AMQP may carry only its registration id (Java sends no keys): the keys it showed
     * in SASL go into the body, so the registration core attests it as TPM, with the token the TPM signed (§2.4).
     */
    private static byte[] registerBody(byte[] body, DeviceSasl.Device device) {
        if (device == null || device.endorsementKey() == null) {
            return body;
        }
        ObjectNode json;
        if (body.length == 0) {
            json = Json.object();
        } else {
            try {
                JsonNode parsed = Json.mapper().readTree(body);
                if (!(parsed instanceof ObjectNode object)) {
                    return body; // the registration core answers 400
                }
                json = object;
            } catch (IOException malformed) {
                return body;
            }
        }
        if (!json.has("tpm")) {
            ObjectNode tpm = json.putObject("tpm");
            tpm.put("endorsementKey", device.endorsementKey());
            tpm.put("storageRootKey", device.storageRootKey());
        }
        return Json.bytes(json);
    }

    /**
     * Answers a request: a success goes back as a message on the device's receiving link (and the request is
     * accepted); an error rejects the request with the DPS error body (§3.2).
     */
    private void finish(Receiver receiver, Served served, Delivery delivery, RegistrationMessages.Request request,
                        ApiResponse response) {
        served.inFlight--;
        if (served.ended || receiver.getLocalState() == EndpointState.CLOSED || delivery.isSettled()) {
            return;
        }
        RegistrationAddress address = served.address;
        ApiResponse outcome = response;
        if (outcome.status() < 300) {
            Sender answers = answerLink(address);
            if (answers == null) {
                outcome = refusal(new ProvisioningException(ErrorCode.BAD_REQUEST,
                        "Attach a receiving link on the device's address before sending requests."), address);
            } else if (answers.getUnsettled() + answers.getQueued() >= MAX_UNSETTLED_ANSWERS) {
                LOG.fine(() -> "An AMQP client at " + ctx.channel().remoteAddress() + " leaves its answers unsettled "
                        + "or untaken; closing");
                end(RESOURCE_LIMIT, "At most " + MAX_UNSETTLED_ANSWERS
                        + " answers may wait for the device to take or settle them.");
                return;
            } else {
                send(answers, RegistrationMessages.answer(request, outcome));
            }
        }
        delivery.disposition(outcome.status() < 300 ? Accepted.getInstance() : RegistrationMessages.rejection(outcome));
        delivery.settle();
        receiver.flow(1);
    }

    private Sender answerLink(RegistrationAddress address) {
        EnumSet<EndpointState> active = EnumSet.of(EndpointState.ACTIVE);
        for (Link link = connection.linkHead(active, active); link != null; link = link.next(active, active)) {
            if (link instanceof Sender sender && link.getContext() instanceof Served named
                    && named.address.sameDevice(address)) {
                return sender;
            }
        }
        return null;
    }

    private void send(Sender sender, byte[] message) {
        Delivery delivery = sender.delivery(Long.toString(nextTag++).getBytes(StandardCharsets.US_ASCII));
        sender.send(message, 0, message.length);
        sender.advance();
        if (sender.getSenderSettleMode() != SenderSettleMode.UNSETTLED) {
            delivery.settle(); // pre-settled unless the device asked to settle answers itself
        }
    }

    /**
     * A message over the limit closes its link (AMQP §2.7.3 max-message-size). Its bytes are dropped as they come;
     * the delivery is settled once complete (proton fails on transfers for a delivery settled while still partial).
     */
    private void tooLarge(Receiver receiver, Delivery delivery) {
        LOG.fine(() -> "An AMQP message from " + ctx.channel().remoteAddress() + " exceeds "
                + settings.maxMessageBytes() + " bytes; detaching its link");
        receiver.setCondition(new ErrorCondition(MESSAGE_TOO_LARGE,
                "Messages are limited to " + settings.maxMessageBytes() + " bytes."));
        receiver.close();
        discard(receiver, delivery);
    }

    /**
     * Drops what proton holds for a delivery on a link closed here (the rest of an oversize message, or one the
     * device sent before it saw the detach): its bytes as they come, and once it is complete the delivery itself,
     * rejected with the link's condition and settled, so a sender that goes on costs no memory.
     */
    private void discard(Receiver receiver, Delivery delivery) {
        if (delivery != receiver.current()) {
            return; // proton delivers in order: it comes up once the one before it is done
        }
        if (delivery.pending() > 0) {
            byte[] sink = new byte[Math.min(delivery.pending(), 16 * 1024)];
            while (receiver.recv(sink, 0, sink.length) > 0) {
                // nothing to keep
            }
        }
        if (!delivery.isPartial()) {
            receiver.advance();
            if (!delivery.isSettled()) {
                Rejected rejected = new Rejected();
                rejected.setError(receiver.getCondition()); // why the link was closed
                delivery.disposition(rejected);
                delivery.settle();
            }
        }
    }

    /** A link the connection serves: the device it names, and on a receiving link its requests in flight. */
    private static final class Served {
        final RegistrationAddress address;
        /** Requests taken and not answered yet: each answer gives its credit back, so never more than the credit. */
        int inFlight;
        /** The link or its session ended (and proton let go of it): an answer arriving now goes nowhere. */
        boolean ended;

        Served(RegistrationAddress address) {
            this.address = address;
        }
    }

    /** A DPS error body for a mistake the AMQP layer finds, with a tracking id that also goes to the log. */
    private ApiResponse refusal(ProvisioningException e, RegistrationAddress address) {
        String trackingId = UUID.randomUUID().toString();
        LOG.info(() -> "amqp request refused instance=" + FrontDoorConnection.printable(address.idScope())
                + " registrationId=" + FrontDoorConnection.printable(address.registrationId())
                + " errorCode=" + e.errorCode().code()
                + " trackingId=" + trackingId);
        return errors.error(e, trackingId);
    }
}
