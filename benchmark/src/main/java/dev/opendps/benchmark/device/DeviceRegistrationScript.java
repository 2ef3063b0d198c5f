package dev.opendps.benchmark.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opendps.benchmark.load.HttpConnectionScript;
import dev.opendps.benchmark.load.Step;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * One device's symmetric-key registration over HTTPS, as the SDKs do it (sdk-wire-notes.md, "Device registration
 * over HTTPS"): {@code PUT …/register}, then {@code GET …/operations/{operationId}} while the status is
 * {@code assigning}, on the same connection. Done when the status is {@code assigned}; anything else is a
 * failure, reported by HTTP status or registration status and DPS error code.
 */
public final class DeviceRegistrationScript implements HttpConnectionScript {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER_AGENT = "opendps-benchmark";

    private final RegistrationTarget target;
    private final String registrationId;
    private final String authorization;
    private final RegistrationProgress progress;

    public DeviceRegistrationScript(RegistrationTarget target, Device device) {
        this.target = target;
        this.progress = new RegistrationProgress(target);
        this.registrationId = device.registrationId();
        long expiry = System.currentTimeMillis() / 1000 + target.tokenLifetimeSeconds();
        this.authorization = SharedAccessSignatures.device(target.idScope(), registrationId, device.key(), expiry);
    }

    @Override
    public FullHttpRequest firstRequest(ByteBufAllocator allocator) {
        byte[] body = registrationBody(registrationId);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT,
                "/" + target.idScope() + "/registrations/" + registrationId + "/register?api-version="
                        + target.apiVersion(),
                Unpooled.wrappedBuffer(body));
        headers(request).set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return request;
    }

    public static byte[] registrationBody(String registrationId) {
        return ("{\"registrationId\":\"" + registrationId + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private FullHttpRequest pollRequest(String operationId) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "/" + target.idScope() + "/registrations/" + registrationId + "/operations/" + operationId
                        + "?api-version=" + target.apiVersion(),
                Unpooled.EMPTY_BUFFER);
        headers(request);
        return request;
    }

    private HttpHeaders headers(FullHttpRequest request) {
        return request.headers()
                .set(HttpHeaderNames.HOST, target.hostHeader())
                .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                .set(HttpHeaderNames.AUTHORIZATION, authorization);
    }

    @Override
    public Step onResponse(FullHttpResponse response, ByteBufAllocator allocator) {
        return progress.next("http", response.status().code(), parse(response.content()),
                operationId -> Step.send(pollRequest(operationId), target.pollDelayMillis()));
    }

    private static JsonNode parse(ByteBuf content) {
        if (!content.isReadable()) {
            return null;
        }
        try {
            // The cast picks readTree(InputStream): ByteBufInputStream is also a DataInput.
            return JSON.readTree((InputStream) new ByteBufInputStream(content.duplicate()));
        } catch (IOException e) {
            return null;
        }
    }

}
