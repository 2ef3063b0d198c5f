package dev.opendps.localhost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the scripts in {@code compat/node}, which drive the official Node.js SDKs against the local stack: checks
 * that Node.js is there (skipping the calling test without it, failing it under {@code CI=true}, where .ci/run
 * installs it) and that the packages {@code package.json} names are installed ({@code npm ci} otherwise).
 */
final class NodeCompat {
    static final Path DIR = Path.of("..", "compat", "node").toAbsolutePath().normalize();

    private NodeCompat() {
    }

    record Result(int exit, String output) {
        /** The last line of the output that is a JSON object: what the scenario scripts print. */
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(output.lines().filter(line -> line.startsWith("{"))
                    .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no JSON in: " + output)));
        }
    }

    /** Skips (or, on CI, fails) without {@code node}; installs the pinned packages when any is missing. */
    static void requireNodeAndPackages() throws IOException, InterruptedException {
        Result node = run(List.of("node", "--version"), Map.of(), 30);
        if (node.exit != 0) {
            String message = "Node.js is not installed: the Node SDK compatibility checks need it"
                    + " (Debian: apt-get install -y nodejs npm)";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message + "; CI installs it, so this is a failure there. " + node.output);
            }
            Assumptions.abort(message);
        }
        if (!dependenciesInstalled()) {
            Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
            assertThat(install.exit).as("npm ci in compat/node: " + install.output).isZero();
        }
    }

    /** Every package compat/node/package.json names is in node_modules (a checkout's older install may lack one). */
    private static boolean dependenciesInstalled() throws IOException {
        JsonNode dependencies = new ObjectMapper().readTree(DIR.resolve("package.json").toFile()).path("dependencies");
        for (var names = dependencies.fieldNames(); names.hasNext(); ) {
            if (!Files.isDirectory(DIR.resolve("node_modules").resolve(names.next()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs a command in compat/node with these extra environment variables; exit {@code -1} if it could not be
     * started, {@code -2} if it timed out. Output goes to files, so a chatty command cannot block on a full pipe.
     */
    static Result run(List<String> command, Map<String, String> environment, int timeoutSeconds)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("opendps-node-", ".out");
        Path err = Files.createTempFile("opendps-node-", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(DIR.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(environment);
            Process process;
            try {
                process = builder.start();
            } catch (IOException notInstalled) {
                return new Result(-1, notInstalled.getMessage());
            }
            process.getOutputStream().close();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new Result(-2, "timed out after " + timeoutSeconds + " s: " + read(out) + read(err));
            }
            return new Result(process.exitValue(), read(out) + read(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }
}
