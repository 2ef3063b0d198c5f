package dev.opendps.localhost;

import dev.opendps.localhost.auth.FunctionKeys;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the local Functions host until SIGTERM or Ctrl-C: reads settings (environment, then local.settings.json),
 * publishes the settings file's values for function code, starts the host and prints how to reach it.
 */
public final class LocalHostMain {

    private LocalHostMain() {
    }

    public static void main(String[] args) throws Exception {
        useOneLineLogs();
        FunctionsHost host = start(AppSettings.load(), Path.of("").toAbsolutePath());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            host.close();
            System.out.println("OpenDPS local Functions host stopped");
            stopped.countDown();
        }, "local-host-shutdown"));
        printSummary(host, System.out);
        stopped.await();
    }

    /** Publishes the settings file's values as system properties and starts the host they configure. */
    public static FunctionsHost start(AppSettings appSettings, Path workingDirectory) throws java.io.IOException {
        appSettings.publishAsSystemProperties();
        return FunctionsHost.start(HostSettings.from(appSettings, workingDirectory));
    }

    /** What an operator needs: endpoint, CA to trust, routes and keys. */
    public static void printSummary(FunctionsHost host, PrintStream out) {
        out.println("OpenDPS local Functions host listening on " + host.baseUri()
                + " (TLS: " + host.tlsProvider() + ", transport: " + host.transport() + ")");
        out.println("CA certificate (trust it to call the host): " + host.caCertificatePath());
        for (HostedApp app : host.apps()) {
            out.println();
            out.println("App " + app.name() + " (" + app.directory() + ")");
            for (HostedFunction function : app.functions()) {
                String methods = function.methods().isEmpty() ? "ANY" : String.join(",", function.methods().stream().sorted().toList());
                out.printf("  %-18s %s%s  [%s] %s%n", methods, host.baseUri(), function.path(),
                        function.authLevel().name().toLowerCase(java.util.Locale.ROOT), function.name());
            }
            FunctionKeys keys = app.keys();
            out.println("  function key: " + keys.functionKey());
            out.println("  host key:     " + keys.hostKey());
            out.println("  master key:   " + keys.masterKey());
        }
        out.flush();
    }

    /** A compact log format, unless the user configured logging themselves. */
    public static void useOneLineLogs() {
        if (System.getProperty("java.util.logging.config.file") == null
                && System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
    }
}
