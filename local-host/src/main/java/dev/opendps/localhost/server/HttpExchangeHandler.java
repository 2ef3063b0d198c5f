package dev.opendps.localhost.server;

import dev.opendps.localhost.http.IncomingRequest;
import dev.opendps.localhost.http.OutgoingResponse;
import dev.opendps.localhost.http.RequestProcessor;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.nio.channels.ClosedChannelException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's HTTP exchanges: turns each aggregated request into an {@link IncomingRequest} (lower-case
 * header names, the client certificate as {@code x-arr-clientcert}), hands it to the processor, and writes the
 * response. Reading pauses while a request is being processed, so pipelined requests are answered in order.
 */
final class HttpExchangeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** The header App Service uses to forward the client certificate (base64 DER of the leaf). */
    static final String CLIENT_CERT_HEADER = "x-arr-clientcert";
    /**
     * The certificates the client sent after its leaf, comma-separated base64 DER: App Service forwards only the
     * leaf, but a device may send the intermediates that link it to its enrollment group (dps-protocol.md §2.2).
     */
    static final String CLIENT_CHAIN_HEADER = "x-opendps-clientcert-chain";

    private static final Logger LOG = Logger.getLogger(HttpExchangeHandler.class.getName());

    private final RequestProcessor processor;
    private final String fallbackAuthority;
    private String clientCertificate;
    private String clientChain;
    private boolean clientCertificateRead;
    private boolean requestInFlight;

    HttpExchangeHandler(RequestProcessor processor, String fallbackAuthority) {
        this.processor = processor;
        this.fallbackAuthority = fallbackAuthority;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            writeAndClose(ctx, HttpResponseStatus.BAD_REQUEST);
            return;
        }
        IncomingRequest incoming = toIncoming(ctx, request);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        requestInFlight = true;
        ctx.channel().config().setAutoRead(false);
        processor.process(incoming).whenComplete((response, failure) -> {
            if (failure != null) {
                LOG.log(Level.SEVERE, "Request processing failed", failure);
                response = OutgoingResponse.empty(500);
            }
            write(ctx, response, keepAlive);
        });
    }

    private IncomingRequest toIncoming(ChannelHandlerContext ctx, FullHttpRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : request.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.equals(CLIENT_CERT_HEADER) || name.equals(CLIENT_CHAIN_HEADER)) {
                continue; // only the TLS layer may set them: a client-sent value is a spoofing attempt
            }
            headers.merge(name, header.getValue(), (first, second) -> first + ", " + second);
        }
        String certificate = clientCertificate(ctx);
        if (certificate != null) {
            headers.put(CLIENT_CERT_HEADER, certificate);
            if (clientChain != null) {
                headers.put(CLIENT_CHAIN_HEADER, clientChain);
            }
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        String authority = host == null || host.isBlank() || !host.matches("[A-Za-z0-9.:\\[\\]_-]+") ? fallbackAuthority : host;
        byte[] body = ByteBufUtil.getBytes(request.content());
        return new IncomingRequest(request.method().name().toUpperCase(Locale.ROOT), request.uri(),
                "https://" + authority, headers, body);
    }

    /**
     * The client's leaf certificate as base64 DER, and the rest of its chain, read once per connection. A resumed
     * session may give only the leaf: the application binds polls to the leaf, not the chain.
     */
    private String clientCertificate(ChannelHandlerContext ctx) {
        if (!clientCertificateRead) {
            clientCertificateRead = true;
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            if (ssl != null) {
                SSLSession session = ssl.engine().getSession();
                try {
                    Certificate[] chain = session.getPeerCertificates();
                    if (chain.length > 0) {
                        clientCertificate = Base64.getEncoder().encodeToString(chain[0].getEncoded());
                    }
                    StringBuilder rest = new StringBuilder();
                    for (int i = 1; i < chain.length; i++) {
                        rest.append(i > 1 ? "," : "").append(Base64.getEncoder().encodeToString(chain[i].getEncoded()));
                    }
                    clientChain = rest.isEmpty() ? null : rest.toString();
                } catch (SSLPeerUnverifiedException noCertificate) {
                    clientCertificate = null;
                } catch (CertificateEncodingException e) {
                    LOG.warning("Client certificate could not be encoded: " + e.getMessage());
                }
            }
        }
        return clientCertificate;
    }

    private void write(ChannelHandlerContext ctx, OutgoingResponse response, boolean keepAlive) {
        FullHttpResponse message = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()), Unpooled.wrappedBuffer(response.body()));
        for (Map.Entry<String, String> header : response.headers()) {
            message.headers().add(header.getKey(), header.getValue());
        }
        HttpUtil.setContentLength(message, response.body().length);
        HttpUtil.setKeepAlive(message, keepAlive);
        ctx.writeAndFlush(message).addListener((ChannelFutureListener) future -> {
            requestInFlight = false; // listeners run on the channel's event loop, like every other access
            if (!future.isSuccess()) {
                future.channel().close();
            } else if (keepAlive) {
                future.channel().config().setAutoRead(true);
            }
        });
    }

    private static void writeAndClose(ChannelHandlerContext ctx, HttpResponseStatus status) {
        FullHttpResponse message = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        HttpUtil.setContentLength(message, 0);
        message.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(message).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            if (!requestInFlight) { // a long-running function is not an idle connection
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and failed handshakes are routine; they are not worth more than a debug line.
        if (!(cause instanceof ClosedChannelException)) {
            LOG.log(Level.FINE, "Connection error, closing", cause);
        }
        ctx.close();
    }
}
