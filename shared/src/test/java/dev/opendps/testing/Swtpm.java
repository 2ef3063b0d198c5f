package dev.opendps.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A software TPM 2.0 ({@code swtpm socket}) started as a child process with its own state in a temporary folder,
 * listening on two adjacent free loopback ports, the TPM port and (as the swtpm TCTI expects) the control port
 * after it (docs: local-components.md "TPM 2.0: swtpm and tpm2-tools"). It is started
 * already initialised ({@code not-need-init,startup-clear}). {@link #close()} stops this process only and
 * deletes its folder.
 *
 * <p>Tests that need it call {@link #requireInstalled(String...)} first: without swtpm they are skipped on a
 * developer machine and fail on CI (environment variable {@code CI=true}), which installs the tools.
 */
public final class Swtpm implements AutoCloseable {
    private static final long START_TIMEOUT_MILLIS = 10_000;
    private static final long TOOL_TIMEOUT_SECONDS = 30;

    private final Process process;
    private final Path directory;
    private final int port;

    private Swtpm(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
    }

    /**
     * Skips the calling test (or fails it when {@code CI} is {@code true}) unless {@code swtpm} and these
     * other programs, such as {@code tpm2_createek}, are on the PATH.
     */
    public static void requireInstalled(String... otherPrograms) {
        List<String> missing = missing(otherPrograms);
        if (missing.isEmpty()) {
            return;
        }
        String message = "Not on the PATH: " + String.join(", ", missing)
                + ". To run the TPM tests install swtpm swtpm-tools tpm2-tools"
                + " (Debian: apt-get install -y swtpm swtpm-tools tpm2-tools).";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + " CI installs them, so this is a failure there.");
        }
        Assumptions.abort(message);
    }

    /** Whether {@code swtpm} and these other programs are on the PATH. */
    public static boolean isInstalled(String... otherPrograms) {
        return missing(otherPrograms).isEmpty();
    }

    private static List<String> missing(String... otherPrograms) {
        List<String> missing = new ArrayList<>();
        for (String program : Stream.concat(Stream.of("swtpm"), Stream.of(otherPrograms)).toList()) {
            if (!onPath(program)) {
                missing.add(program);
            }
        }
        return missing;
    }

    /** Whether an executable of this name is on the PATH (also used by {@link CosmosTestServer}). */
    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, program))) {
                return true;
            }
        }
        return false;
    }

    /** Starts a fresh swtpm and waits until its TPM port accepts connections. */
    public static Swtpm start() {
        Path directory;
        try {
            directory = Files.createTempDirectory("opendps-swtpm-");
            Files.createDirectory(directory.resolve("state"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int serverPort = freePortPair();
        int controlPort = serverPort + 1;
        Path log = directory.resolve("swtpm.log");
        Process process;
        try {
            process = new ProcessBuilder("swtpm", "socket", "--tpm2",
                    "--tpmstate", "dir=" + directory.resolve("state"),
                    "--server", "type=tcp,port=" + serverPort + ",bindaddr=127.0.0.1",
                    "--ctrl", "type=tcp,port=" + controlPort + ",bindaddr=127.0.0.1",
                    "--flags", "not-need-init,startup-clear")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            deleteRecursively(directory);
            throw new UncheckedIOException("swtpm does not start", e);
        }
        Swtpm swtpm = new Swtpm(process, directory, serverPort);
        try {
            swtpm.awaitPort(log);
        } catch (RuntimeException e) {
            swtpm.close();
            throw e;
        }
        return swtpm;
    }

    private void awaitPort(Path log) {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("swtpm exited with " + process.exitValue() + ": " + read(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("swtpm does not listen on port " + port + ": " + read(log));
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for swtpm", e);
            }
        }
    }

    /**
     * A free loopback port whose successor is free too: the TSS swtpm TCTI finds the control channel at the
     * TPM port + 1.
     */
    private static int freePortPair() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = first.getLocalPort();
                if (port >= 65535) {
                    continue;
                }
                try (ServerSocket second = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // try another pair
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("No two adjacent free loopback ports were found.");
    }

    public String host() {
        return "127.0.0.1";
    }

    /** The TPM command port. */
    public int port() {
        return port;
    }

    /** The TCTI configuration for tpm2-tools ({@code TPM2TOOLS_TCTI}) and the TSS. */
    public String tcti() {
        return "swtpm:host=" + host() + ",port=" + port;
    }

    /** The exit code and the combined stdout and stderr of a tool run. */
    public record Result(int exitCode, String output) {
    }

    /**
     * Runs a tpm2-tools command against this TPM in {@code workingDirectory} and returns its output (stdout and
     * stderr). A non-zero exit is an {@link AssertionError} with the command and its output.
     */
    public String run(Path workingDirectory, String... command) {
        Result result = execute(workingDirectory, command);
        if (result.exitCode() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + result.exitCode() + ":\n"
                    + result.output());
        }
        return result.output();
    }

    /** Runs a tpm2-tools command against this TPM in {@code workingDirectory}, whatever its exit code. */
    public Result execute(Path workingDirectory, String... command) {
        Path output;
        try {
            output = Files.createTempFile(directory, "tool-", ".out");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("TPM2TOOLS_TCTI", tcti());
        try {
            Process tool = builder.start();
            if (!tool.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                tool.destroyForcibly();
                tool.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not finish: " + read(output));
            }
            return new Result(tool.exitValue(), read(output));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException ignored) {
                // the folder is removed on close
            }
        }
    }

    /**
     * Flushes transient objects, loaded sessions and saved sessions: without a resource manager every tool run
     * leaves its contexts behind, and the TPM has room for only a few. One run per kind: tpm2-tools 5.4 fails
     * ("invalid handle 0x0") when {@code -t -l -s} are combined and there is something to flush.
     */
    public void flush(Path workingDirectory) {
        for (String kind : new String[] {"-t", "-l", "-s"}) {
            run(workingDirectory, "tpm2_flushcontext", kind);
        }
    }

    /** Stops this swtpm process (destroy, wait, then force) and deletes its folder. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            deleteRecursively(directory);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort: a leftover temp file is harmless
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
