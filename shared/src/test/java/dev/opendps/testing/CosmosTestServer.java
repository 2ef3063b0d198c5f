package dev.opendps.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.wire.Json;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A local Cosmos DB SQL-API endpoint for the Cosmos store tests: {@code node compat/cosmos/server.js}
 * (@vercel/cosmosdb-server behind the project's wrapper, in memory, plain HTTP) on a port of its own, stopped by
 * its own process in {@link #close()}. Without {@code node} the calling test is skipped on a developer machine
 * and fails on CI ({@code CI=true}), which installs it.
 *
 * <p>Two things a real account does that the server cannot be asked to do otherwise: {@link #inject} makes it answer
 * chosen item requests with 429, 503 or 408 ({@link Fault}), and {@link #startAcceptingEntraTokensOnly} starts one
 * that refuses key signatures and checks Microsoft Entra tokens with a {@link ManagedIdentityTestEndpoint}.
 */
public final class CosmosTestServer implements AutoCloseable {
    private static final long START_TIMEOUT_SECONDS = 20;
    private static final long NPM_TIMEOUT_SECONDS = 300;

    static {
        // The SDK would otherwise probe the cloud metadata address (169.254.169.254) for every client it builds.
        System.setProperty("COSMOS.DISABLE_IMDS_ACCESS", "true");
        // The local server speaks plain HTTP; the SDK refuses that unless told.
        System.setProperty("COSMOS.HTTP_CONNECTION_WITHOUT_TLS_ALLOWED", "true");
    }

    /**
     * Requests for items of one container (point operations, queries, batches) that the server answers with
     * {@code status} instead of serving them, so nothing is written: the next {@code count} of them (null: all, until
     * {@link #clearFaults()}), only those with {@code method} if it is not null. A 429 carries
     * {@code x-ms-retry-after-ms: retryAfterMs}.
     */
    public record Fault(int status, String container, String method, Integer count, int retryAfterMs) {
        /** 429 with substatus 3200 and a retry-after of 50 ms, as a throttled account answers. */
        public static Fault throttling(String container) {
            return new Fault(429, container, null, null, 50);
        }

        public static Fault unavailable(String container) {
            return new Fault(503, container, null, null, 0);
        }

        public static Fault timingOut(String container) {
            return new Fault(408, container, null, null, 0);
        }

        public Fault times(int requests) {
            return new Fault(status, container, method, requests, retryAfterMs);
        }

        /** Only requests with this HTTP method: GET reads, POST creates, upserts and queries, PUT replaces. */
        public Fault onMethod(String httpMethod) {
            return new Fault(status, container, httpMethod, count, retryAfterMs);
        }

        public Fault retryAfter(Duration retryAfter) {
            return new Fault(status, container, method, count, Math.toIntExact(retryAfter.toMillis()));
        }
    }

    private final Process process;
    private final int port;
    private final String key;
    private final HttpClient admin = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private CosmosTestServer(Process process, int port) {
        this.process = process;
        this.port = port;
        // The server checks no signature, but the SDK needs a well-formed account key; a fresh one per server.
        byte[] bytes = new byte[64];
        new SecureRandom().nextBytes(bytes);
        this.key = Base64.getEncoder().encodeToString(bytes);
    }

    /** Starts a server, installing the wrapper's pinned packages first if they are missing. */
    public static CosmosTestServer start() {
        return start(List.of());
    }

    /**
     * A server for an account with key authentication disabled: every request needs a Microsoft Entra token
     * ({@code Authorization: type=aad&ver=1.0&sig=<token>}) that {@code identity} issued, is still valid, and is for
     * this endpoint's origin ({@code http://127.0.0.1}, the audience the SDK asks for) or {@code https://cosmos.azure.com};
     * anything else is answered 401.
     */
    public static CosmosTestServer startAcceptingEntraTokensOnly(ManagedIdentityTestEndpoint identity) {
        return start(List.of("--aad-introspect", identity.introspectionEndpoint().toString()));
    }

    private static CosmosTestServer start(List<String> options) {
        requireNode();
        Path directory = wrapperDirectory();
        if (!Files.isDirectory(directory.resolve("node_modules"))) {
            run(List.of("npm", "ci", "--prefix", directory.toString(), "--no-audit", "--no-fund", "--loglevel=error"));
        }
        List<String> command = new ArrayList<>(List.of("node", directory.resolve("server.js").toString(), "--port", "0"));
        command.addAll(options);
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The server prints "listening <port>" once it accepts connections; port 0 lets it pick a free one.
        CompletableFuture<String> firstLine = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                firstLine.complete(lines.readLine());
                // Keep draining so the server never blocks on a full pipe.
                while (lines.readLine() != null) {
                    // discard
                }
            } catch (IOException e) {
                firstLine.complete(null);
            }
        }, "cosmos-test-server-output");
        reader.setDaemon(true);
        reader.start();
        try {
            String line = firstLine.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (line == null || !line.startsWith("listening ")) {
                throw new IllegalStateException("The Cosmos test server did not start (printed: " + line + ")");
            }
            return new CosmosTestServer(process, Integer.parseInt(line.substring("listening ".length()).trim()));
        } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
            process.destroyForcibly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("The Cosmos test server did not start in time", e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port + "/";
    }

    public String key() {
        return key;
    }

    /** Adds {@code fault}; returns its id for {@link #answered}. */
    public int inject(Fault fault) {
        ObjectNode rule = Json.object().put("status", fault.status()).put("retryAfterMs", fault.retryAfterMs());
        if (fault.container() != null) {
            rule.put("collection", fault.container());
        }
        if (fault.method() != null) {
            rule.put("method", fault.method());
        }
        if (fault.count() != null) {
            rule.put("count", fault.count());
        }
        return faults("POST", Json.string(rule), 201).get("id").asInt();
    }

    /** How many requests the fault {@code id} has answered so far. */
    public int answered(int id) {
        for (JsonNode fault : faults("GET", null, 200).get("faults")) {
            if (fault.get("id").asInt() == id) {
                return fault.get("answered").asInt();
            }
        }
        throw new IllegalArgumentException("No fault " + id);
    }

    /** Removes every fault: the server serves everything again. */
    public void clearFaults() {
        faults("DELETE", null, 204);
    }

    private JsonNode faults(String method, String body, int expectedStatus) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint() + "_faults"))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<String> response = admin.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expectedStatus) {
                throw new IllegalStateException(method + " /_faults answered " + response.statusCode() + ": "
                        + response.body());
            }
            return response.body().isEmpty() ? Json.object() : Json.parseObject(response.body().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void requireNode() {
        if (Swtpm.onPath("node") && Swtpm.onPath("npm")) {
            return;
        }
        String message = "node and npm are not on the PATH. To run the Cosmos DB store tests install Node.js"
                + " (Debian: apt-get install -y nodejs npm).";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + " CI installs it, so this is a failure there.");
        }
        Assumptions.abort(message);
    }

    /** compat/cosmos in the checkout; tests run from a module directory, so look upwards. */
    private static Path wrapperDirectory() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("compat").resolve("cosmos");
            if (Files.isRegularFile(candidate.resolve("server.js"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("compat/cosmos/server.js not found above " + Path.of("").toAbsolutePath());
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(NPM_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Timed out: " + String.join(" ", command));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("Failed (exit " + process.exitValue() + "): " + String.join(" ", command));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted: " + String.join(" ", command), e);
        }
    }
}
