package dev.opendps.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A local Cosmos DB SQL-API endpoint for the Cosmos store tests: {@code node compat/cosmos/server.js}
 * (@vercel/cosmosdb-server behind the project's wrapper, in memory, plain HTTP) on a port of its own, stopped by
 * its own process in {@link #close()}. Without {@code node} the calling test is skipped on a developer machine
 * and fails on CI ({@code CI=true}), which installs it.
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

    private final Process process;
    private final int port;
    private final String key;

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
        requireNode();
        Path directory = wrapperDirectory();
        if (!Files.isDirectory(directory.resolve("node_modules"))) {
            run(List.of("npm", "ci", "--prefix", directory.toString(), "--no-audit", "--no-fund", "--loglevel=error"));
        }
        Process process;
        try {
            process = new ProcessBuilder("node", directory.resolve("server.js").toString(), "--port", "0")
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
