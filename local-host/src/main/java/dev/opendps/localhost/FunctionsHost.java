package dev.opendps.localhost;

import dev.opendps.localhost.app.FunctionApp;
import dev.opendps.localhost.app.FunctionAppLoader;
import dev.opendps.localhost.app.FunctionInvoker;
import dev.opendps.localhost.auth.FunctionKeyStore;
import dev.opendps.localhost.auth.FunctionKeys;
import dev.opendps.localhost.dispatch.FunctionDispatcher;
import dev.opendps.localhost.dispatch.RouteTarget;
import dev.opendps.localhost.routing.RouteTable;
import dev.opendps.localhost.routing.RouteTemplate;
import dev.opendps.localhost.server.HttpsServer;
import dev.opendps.localhost.storage.OwnerOnlyFiles;
import dev.opendps.localhost.tls.LocalCertificateAuthority;
import dev.opendps.localhost.tls.LocalCertificates;
import dev.opendps.localhost.tls.ServerTlsContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A local stand-in for the Azure Functions host: serves the HTTP functions of packaged function apps over HTTPS,
 * with the real host's routing, keys and request/response model, so the same function code runs on both.
 *
 * <pre>{@code
 * try (FunctionsHost host = FunctionsHost.start(settings)) {
 *     host.baseUri(); host.caCertificatePath(); host.keys("opendps-functions").functionKey();
 * }
 * }</pre>
 */
public final class FunctionsHost implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FunctionsHost.class.getName());
    private static final int WORKER_QUEUE_CAPACITY = 10_000;

    private final HostSettings settings;
    private final LocalCertificates certificates;
    private final List<FunctionApp> loadedApps;
    private final Map<String, HostedApp> apps;
    private final ThreadPoolExecutor workers;
    private final SslContext tls;
    private final HttpsServer server;
    private boolean closed;

    private FunctionsHost(HostSettings settings, LocalCertificates certificates, List<FunctionApp> loadedApps,
                          Map<String, HostedApp> apps, ThreadPoolExecutor workers, SslContext tls, HttpsServer server) {
        this.settings = settings;
        this.certificates = certificates;
        this.loadedApps = loadedApps;
        this.apps = apps;
        this.workers = workers;
        this.tls = tls;
        this.server = server;
    }

    /** Loads the apps, prepares keys and certificates in the data directory, and starts listening. */
    public static FunctionsHost start(HostSettings settings) throws IOException {
        OwnerOnlyFiles.createPrivateDirectory(settings.dataDirectory());
        LocalCertificates certificates = new LocalCertificateAuthority(settings.dataDirectory())
                .ensure(settings.tlsHostNames());
        FunctionKeyStore keyStore = new FunctionKeyStore(settings.dataDirectory());

        List<FunctionApp> loadedApps = new ArrayList<>();
        ThreadPoolExecutor workers = null;
        SslContext tls = null;
        try {
            Map<String, HostedApp> apps = new LinkedHashMap<>();
            List<RouteTable.Route<RouteTarget>> routes = new ArrayList<>();
            for (Path directory : settings.appDirectories()) {
                FunctionApp app = FunctionAppLoader.load(directory, FunctionsHost.class.getClassLoader());
                loadedApps.add(app);
                if (apps.containsKey(app.name())) {
                    throw new IOException("Two function apps are named " + app.name() + "; app names must be unique");
                }
                FunctionKeys keys = keyStore.loadOrCreate(app.name(), settings.functionKey().orElse(null),
                        settings.masterKey().orElse(null));
                for (FunctionInvoker function : app.functions()) {
                    RouteTemplate template = RouteTemplate.withPrefix(app.routePrefix(), function.definition().route());
                    routes.add(new RouteTable.Route<>(template, function.definition().methods(),
                            new RouteTarget(app, function, keys)));
                }
                apps.put(app.name(), new HostedApp(app.name(), app.directory(), app.routePrefix(), keys, List.of()));
            }
            if (apps.isEmpty()) {
                LOG.warning("No function apps to serve: every request will be answered 404");
            }
            RouteTable<RouteTarget> table = new RouteTable<>(routes);
            warnAboutDuplicateRoutes(table);
            apps = withFunctions(apps, table);

            workers = newWorkerPool(settings.workerThreads());
            tls = ServerTlsContexts.create(certificates);
            HttpsServer server = HttpsServer.start(settings.bindAddress(), settings.port(), settings.ioThreads(), tls,
                    settings.maxRequestBodyBytes(), new FunctionDispatcher(table, workers));
            FunctionsHost host = new FunctionsHost(settings, certificates, List.copyOf(loadedApps), Map.copyOf(apps),
                    workers, tls, server);
            LOG.info(() -> "Serving " + host.apps().size() + " function app(s) at " + host.baseUri() + " (TLS: "
                    + ServerTlsContexts.providerName() + ", transport: " + server.transport() + ")");
            return host;
        } catch (IOException | RuntimeException | Error e) {
            cleanUp(loadedApps, workers, tls);
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cleanUp(loadedApps, workers, tls);
            throw new IOException("Interrupted while starting", e);
        }
    }

    /** The bound port (the actual one when the settings asked for port 0). */
    public int port() {
        return server.port();
    }

    /** Where clients reach the host, e.g. {@code https://127.0.0.1:8443} ({@code localhost} for a wildcard bind). */
    public URI baseUri() {
        String host = settings.bindAddress();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "localhost";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create("https://" + host + ":" + port());
    }

    /** The PEM file of the local CA that signed the server certificate: what clients must trust. */
    public Path caCertificatePath() {
        return certificates.caCertificateFile();
    }

    public X509Certificate caCertificate() {
        return certificates.caCertificate();
    }

    public X509Certificate serverCertificate() {
        return certificates.serverCertificate();
    }

    /** The served apps in configuration order. */
    public List<HostedApp> apps() {
        List<HostedApp> ordered = new ArrayList<>();
        for (FunctionApp app : loadedApps) {
            ordered.add(apps.get(app.name()));
        }
        return ordered;
    }

    public Optional<HostedApp> app(String name) {
        return Optional.ofNullable(apps.get(name));
    }

    /** The keys of an app. */
    public FunctionKeys keys(String appName) {
        HostedApp app = apps.get(appName);
        if (app == null) {
            throw new NoSuchElementException("No function app named " + appName + "; have " + apps.keySet());
        }
        return app.keys();
    }

    public HostSettings settings() {
        return settings;
    }

    /** E.g. "BoringSSL ..." or "JDK". */
    public String tlsProvider() {
        return ServerTlsContexts.providerName();
    }

    /** "epoll" or "nio". */
    public String transport() {
        return server.transport();
    }

    /** Stops accepting, lets running invocations finish (up to 10 s), then stops the event loops. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stopAccepting();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warning("Function invocations still running after 10 s; interrupting them");
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        server.close();
        cleanUp(loadedApps, null, tls);
        LOG.info("Local Functions host stopped");
    }

    private static Map<String, HostedApp> withFunctions(Map<String, HostedApp> apps, RouteTable<RouteTarget> table) {
        Map<String, HostedApp> result = new LinkedHashMap<>();
        for (HostedApp app : apps.values()) {
            List<HostedFunction> functions = new ArrayList<>();
            for (RouteTable.Route<RouteTarget> route : table.routes()) {
                if (route.target().app().name().equals(app.name())) {
                    var definition = route.target().function().definition();
                    functions.add(new HostedFunction(definition.name(), definition.entryPoint(),
                            "/" + route.template().text(), definition.methods(), definition.authLevel()));
                }
            }
            result.put(app.name(), new HostedApp(app.name(), app.directory(), app.routePrefix(), app.keys(), functions));
        }
        return result;
    }

    private static void warnAboutDuplicateRoutes(RouteTable<RouteTarget> table) {
        Set<String> seen = new HashSet<>();
        for (RouteTable.Route<RouteTarget> route : table.routes()) {
            Set<String> methods = route.methods().isEmpty() ? Set.of("*") : route.methods();
            for (String method : methods) {
                String key = method + " " + route.template().text().toLowerCase(java.util.Locale.ROOT);
                if (!seen.add(key)) {
                    LOG.warning("Route " + key + " is declared twice; function "
                            + route.target().function().definition().name() + " will never be reached by it");
                }
            }
        }
    }

    private static ThreadPoolExecutor newWorkerPool(int threads) {
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "function-worker-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(WORKER_QUEUE_CAPACITY), factory, new ThreadPoolExecutor.AbortPolicy());
    }

    private static void cleanUp(List<FunctionApp> apps, ThreadPoolExecutor workers, SslContext tls) {
        if (workers != null) {
            workers.shutdownNow();
        }
        for (FunctionApp app : apps) {
            try {
                app.close();
            } catch (IOException e) {
                LOG.log(Level.FINE, "Closing the class loader of " + app.name(), e);
            }
        }
        if (tls != null) {
            ReferenceCountUtil.release(tls);
        }
    }
}
