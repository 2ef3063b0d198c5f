package dev.opendps.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A custom allocation webhook for tests (dps-protocol.md §5): plain HTTP on 127.0.0.1 (JDK
 * {@code HttpServer}), recording every request and answering as told (status, body, and an optional delay
 * before answering).
 */
public final class WebhookTestServer implements AutoCloseable {

    /** One request as the webhook received it. */
    public record Received(String method, String path, String query, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private record Answer(int status, String body, Duration delay) {
    }

    private final LoopbackServer server = LoopbackServer.http("webhook-test-server");
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Answer answer = new Answer(200, "{}", Duration.ZERO);

    public WebhookTestServer() throws IOException {
        server.route("/", this::handle).start();
    }

    /** {@code http://127.0.0.1:port} followed by {@code pathAndQuery}. */
    public String url(String pathAndQuery) {
        return "http://127.0.0.1:" + server.port() + pathAndQuery;
    }

    public WebhookTestServer answer(int status, String body) {
        answer = new Answer(status, body, Duration.ZERO);
        return this;
    }

    /** Answers only after {@code delay}: longer than the caller's timeout makes it time out. */
    public WebhookTestServer answerAfter(Duration delay, int status, String body) {
        answer = new Answer(status, body, delay);
        return this;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public Received last() {
        if (received.isEmpty()) {
            throw new AssertionError("The webhook received no request");
        }
        return received.get(received.size() - 1);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), Map.copyOf(exchange.getRequestHeaders()), body));
            Answer current = answer;
            if (!current.delay().isZero()) {
                try {
                    Thread.sleep(current.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            byte[] bytes = current.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(current.status(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
