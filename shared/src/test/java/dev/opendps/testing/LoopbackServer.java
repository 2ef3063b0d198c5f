package dev.opendps.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK HTTP server under a test stand-in (the Key Vault, IoT Hub, identity endpoint and webhook test servers):
 * on a free port of 127.0.0.1, plain or over {@link LoopbackTls}, its exchanges handled on daemon threads named
 * for it so that a test that forgets to close it does not keep the JVM alive. Routes are added before
 * {@link #start()}; {@link #close()} stops it at once.
 */
public final class LoopbackServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private LoopbackServer(HttpServer server, String name) {
        this.server = server;
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
    }

    /** Plain HTTP; {@code name} names its threads. */
    public static LoopbackServer http(String name) {
        try {
            return new LoopbackServer(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), name);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the " + name, e);
        }
    }

    /** HTTPS with the certificate of {@code tls}; {@code name} names its threads. */
    public static LoopbackServer https(String name, LoopbackTls tls) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(tls.server()));
            return new LoopbackServer(server, name);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the " + name, e);
        }
    }

    /** Requests whose path starts with {@code path} go to {@code handler}. */
    public LoopbackServer route(String path, HttpHandler handler) {
        server.createContext(path, handler);
        return this;
    }

    public LoopbackServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The decoded query parameters of a request, in their order (the last of a repeated name wins). */
    public static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> parameters = new LinkedHashMap<>();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        if (rawQuery == null) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            parameters.put(URLDecoder.decode(name, StandardCharsets.UTF_8),
                    URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return parameters;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
