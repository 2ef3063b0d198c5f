package dev.opendps.localhost.app;

import dev.opendps.localhost.http.Json;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Converts request body bytes to the type a function declares as {@code HttpRequestMessage<T>}: String, byte[],
 * Optional of either (empty when there is no body), or any other type read as JSON. A missing body is null.
 */
public abstract class RequestBodyConverter {

    public abstract Object convert(byte[] body, String contentType) throws Exception;

    public static RequestBodyConverter forType(Type bodyType) {
        if (bodyType instanceof ParameterizedType parameterized && parameterized.getRawType() == Optional.class) {
            RequestBodyConverter inner = forType(parameterized.getActualTypeArguments()[0]);
            return new RequestBodyConverter() {
                @Override
                public Object convert(byte[] body, String contentType) throws Exception {
                    return Optional.ofNullable(inner.convert(body, contentType));
                }
            };
        }
        if (bodyType == byte[].class) {
            return new RequestBodyConverter() {
                @Override
                public Object convert(byte[] body, String contentType) {
                    return body.length == 0 ? null : body;
                }
            };
        }
        if (bodyType == String.class || bodyType == Object.class || !(bodyType instanceof Class<?>
                || bodyType instanceof ParameterizedType)) {
            // Raw, wildcard and type-variable bodies arrive as text, as with the Java worker.
            return new RequestBodyConverter() {
                @Override
                public Object convert(byte[] body, String contentType) {
                    return body.length == 0 ? null : new String(body, charsetOf(contentType));
                }
            };
        }
        return new RequestBodyConverter() {
            @Override
            public Object convert(byte[] body, String contentType) throws Exception {
                return body.length == 0 ? null : Json.MAPPER.readValue(body, Json.MAPPER.constructType(bodyType));
            }
        };
    }

    static Charset charsetOf(String contentType) {
        if (contentType != null) {
            for (String parameter : contentType.split(";")) {
                String trimmed = parameter.trim();
                if (trimmed.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                    try {
                        return Charset.forName(trimmed.substring(8).replace("\"", "").trim());
                    } catch (RuntimeException unknown) {
                        return StandardCharsets.UTF_8;
                    }
                }
            }
        }
        return StandardCharsets.UTF_8;
    }
}
