package dev.opendps.benchmark;

import dev.opendps.benchmark.device.Device;
import dev.opendps.benchmark.device.DeviceSources;
import dev.opendps.benchmark.device.DeviceTransport;
import dev.opendps.benchmark.device.RegistrationTarget;
import dev.opendps.benchmark.load.ClientTls;
import dev.opendps.benchmark.load.FreshConnectionLoad;
import dev.opendps.benchmark.load.PhasePlan;
import dev.opendps.benchmark.load.PhaseResult;
import dev.opendps.benchmark.load.SingleGetScript;
import dev.opendps.benchmark.setup.EnrollmentGroups;
import dev.opendps.benchmark.setup.EnrollmentGroups.SymmetricKeyGroup;
import dev.opendps.benchmark.setup.LocalStackConnection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * Simulates devices registering concurrently with a running OpenDPS over HTTPS, each on a fresh TLS
 * connection with its own SAS token, and compares that with a baseline: the same host answering a trivial
 * anonymous function over a fresh TLS connection per request.
 */
@Command(name = "opendps-benchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Load generator: device registrations over fresh TLS connections vs. a trivial-function baseline.")
public final class RegistrationBenchmark implements Callable<Integer> {

    private static final String ALLOCATION_APP = "opendps-allocation-functions";
    private static final String DEVICE_API_VERSION = "2019-03-31";

    enum Phase { baseline, first_time, returning }

    @Option(names = "--url", defaultValue = "https://localhost:8443",
            description = "Device and service endpoint of the running host (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--ca", defaultValue = ".dps-local/tls/ca.pem",
            description = "CA certificate (PEM) to trust (default: ${DEFAULT-VALUE}).")
    Path caPem;

    @Option(names = "--connection", defaultValue = ".dps-local/connection.json",
            description = "The local stack's connection.json (default: ${DEFAULT-VALUE}).")
    Path connectionFile;

    @Option(names = "--baseline-url",
            description = "Baseline request (default: the allocation app's baseUrl from connection.json + /health).")
    URI baselineUrl;

    @Option(names = {"-c", "--concurrency"}, defaultValue = "64",
            description = "Devices (connections) in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = {"-d", "--duration"}, defaultValue = "60s", converter = DurationConverter.class,
            description = "Measured window of each timed phase, e.g. 60s, 2m (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "10s", converter = DurationConverter.class,
            description = "Unmeasured load before each timed phase (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--client-warmup", defaultValue = "10s", converter = DurationConverter.class,
            description = "Baseline requests once at the start, unmeasured, so the client's JIT compilation (about"
                    + " 15 s of it) is not charged to the first phase (default: ${DEFAULT-VALUE}).")
    Duration clientWarmup;

    @Option(names = "--phases", split = ",", defaultValue = "all",
            description = "baseline, register-first-time, register-returning, or all (default: ${DEFAULT-VALUE}).")
    List<String> phaseNames;

    @Option(names = "--groups", split = ",", defaultValue = "1",
            description = "Enrollment groups the devices are spread over; a list (e.g. 1,1000) runs the registration"
                    + " phases once per count and compares returning-device cost (default: ${DEFAULT-VALUE}).")
    List<Integer> groupCounts;

    @Option(names = "--devices", defaultValue = "10000",
            description = "Distinct returning devices (registered once before their phase, then cycled)"
                    + " per group count (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--group-prefix", defaultValue = "bench-group-",
            description = "Enrollment group ids are <prefix>0000, <prefix>0001, …; existing ones are reused"
                    + " (default: ${DEFAULT-VALUE}).")
    String groupPrefix;

    @Option(names = "--device-prefix", defaultValue = "bench-dev",
            description = "Prefix of simulated registration ids (default: ${DEFAULT-VALUE}).")
    String devicePrefix;

    @Option(names = "--client-threads",
            description = "Client event-loop threads (default: the number of cores; with fewer the client caps the"
                    + " rate while the server idles).")
    Integer clientThreads;

    @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "Limit per connection, from connect to final answer (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--max-polls", defaultValue = "20",
            description = "Operation-status polls allowed per registration (default: ${DEFAULT-VALUE}).")
    int maxPolls;

    @Option(names = "--poll-delay-ms", defaultValue = "0",
            description = "Wait before each poll; 0 polls at once on the same connection instead of honouring"
                    + " retry-after (default: ${DEFAULT-VALUE}).")
    long pollDelayMillis;

    @Option(names = "--tls-protocols", split = ",", defaultValue = "TLSv1.3,TLSv1.2",
            description = "TLS versions the client offers, e.g. TLSv1.2 as the Java SDK (default: ${DEFAULT-VALUE}).")
    List<String> tlsProtocols;

    @Option(names = "--tls-groups", split = ",", defaultValue = "X25519",
            description = "Key-exchange groups the client offers, in order: X25519 is what the device SDKs' TLS stacks"
                    + " (JDK 17, Node's OpenSSL 3.0) prefer; 'default' keeps BoringSSL's own list, which here costs"
                    + " about as much as X25519MLKEM768 (default: ${DEFAULT-VALUE}).")
    List<String> tlsGroups;

    @Option(names = "--tls-resumption", defaultValue = "false",
            description = "Resume TLS sessions on new connections, as the Java SDK does; off = full handshake on"
                    + " every connection (default: ${DEFAULT-VALUE}).")
    boolean tlsResumption;

    @Option(names = "--server-timing-metric", defaultValue = "dps",
            description = "Server-Timing metric holding the server's own time (default: ${DEFAULT-VALUE}).")
    String serverTimingMetric;

    @Option(names = "--server-pid", description = "PID of the server process, to report its CPU use (Linux).")
    Long serverPid;

    @Option(names = "--in-process", arity = "0..1", fallbackValue = "",
            description = "Also call an InProcessRegistration directly: this class, or the one ServiceLoader finds.")
    String inProcessClass;

    @Option(names = "--in-process-registrations", defaultValue = "50000",
            description = "Measured in-process registrations per kind (default: ${DEFAULT-VALUE}).")
    long inProcessCount;

    @Option(names = "--mqtt", arity = "0..1", fallbackValue = "",
            description = "Also run the registration phases over MQTT (dps-protocol.md §3.1) against the front door at"
                    + " host:port (default when given without a value: the --url host, port 8883).")
    String mqttEndpoint;

    @Option(names = "--json-out", description = "Also write the JSON result line to this file.")
    Path jsonOut;

    private final PrintStream log = System.err;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RegistrationBenchmark())
                .setExecutionExceptionHandler((e, command, parsed) -> {
                    command.getErr().println("opendps-benchmark: " + e.getMessage());
                    return 1;
                })
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Set<Phase> phases = EnumSet.noneOf(Phase.class);
        for (String name : phaseNames) {
            phases.addAll(phasesNamed(name));
        }
        Set<Integer> groupSet = new TreeSet<>(groupCounts);
        if (concurrency < 1 || devices < 1 || groupSet.stream().anyMatch(g -> g < 1)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--concurrency, --devices and --groups must be positive");
        }
        LocalStackConnection connection = LocalStackConnection.read(connectionFile);
        String runTag = Long.toString(System.currentTimeMillis(), 36);
        int threads = clientThreads != null ? clientThreads : Runtime.getRuntime().availableProcessors();
        List<String> groupsOffered = tlsGroups.size() == 1 && tlsGroups.get(0).equalsIgnoreCase("default")
                ? List.of() : tlsGroups;
        OptionalLong pid = serverPid == null ? OptionalLong.empty() : OptionalLong.of(serverPid);
        ClientTls tls = ClientTls.trusting(caPem, tlsProtocols, groupsOffered, tlsResumption);
        RegistrationTarget target = new RegistrationTarget(connection.idScope(), hostHeader(url), DEVICE_API_VERSION,
                maxPolls, pollDelayMillis, 3600);
        URI baseline = baselineUrl != null ? baselineUrl : URI.create(connection.functionAppBaseUrl(ALLOCATION_APP)
                .orElse(url.toString().replaceAll("/$", "") + "/api") + "/health");

        log.printf(Locale.ROOT, "opendps-benchmark: %s, ID scope %s, %d concurrent, %.0f s warm-up + %.0f s per phase,"
                        + " %d client thread(s), TLS %s (%s), %s handshakes%n", url, connection.idScope(), concurrency,
                warmup.toMillis() / 1000.0, duration.toMillis() / 1000.0, threads, tls.providerName(),
                groupsOffered.isEmpty() ? "default groups" : String.join(",", groupsOffered),
                tlsResumption ? "resumed" : "full");

        List<PhaseResult> results = new ArrayList<>();
        try (FreshConnectionLoad load = new FreshConnectionLoad(tls, threads, timeout, serverTimingMetric, pid)) {
            log.println("client transport: " + load.transportName());
            if (!clientWarmup.isZero()) {
                log.printf(Locale.ROOT, "client warm-up: %.0f s of baseline requests, not measured%n",
                        clientWarmup.toMillis() / 1000.0);
                PhaseResult warm = load.run(PhasePlan.timed("client warm-up", "warm", 0, concurrency, resolve(baseline),
                        () -> new SingleGetScript(hostHeader(baseline), pathAndQuery(baseline)), Duration.ZERO,
                        clientWarmup));
                log.println(summary(warm));
            }
            if (phases.contains(Phase.baseline)) {
                log.println("baseline: GET " + baseline + " on a fresh connection per request");
                results.add(load.run(PhasePlan.timed("baseline", "baseline", 0, concurrency, resolve(baseline),
                        () -> new SingleGetScript(hostHeader(baseline), pathAndQuery(baseline)), warmup, duration)));
                log.println(summary(results.get(results.size() - 1)));
            }
            if (phases.contains(Phase.first_time) || phases.contains(Phase.returning)) {
                EnrollmentGroups setup = new EnrollmentGroups(url, caPem, connection);
                Map<DeviceTransport, InetSocketAddress> transports = new LinkedHashMap<>();
                transports.put(DeviceTransport.HTTPS, resolve(url));
                if (mqttEndpoint != null) {
                    transports.put(DeviceTransport.MQTT, mqttAddress());
                }
                for (int groups : groupSet) {
                    List<byte[]> keys = groupKeys(setup, groups);
                    List<Device> pool = DeviceSources.pool(devicePrefix + "-g" + groups, devices, keys);
                    boolean poolRegistered = false;
                    for (Map.Entry<DeviceTransport, InetSocketAddress> transport : transports.entrySet()) {
                        DeviceTransport via = transport.getKey();
                        InetSocketAddress address = transport.getValue();
                        String kindPrefix = via == DeviceTransport.MQTT ? "mqtt-" : "";
                        if (phases.contains(Phase.first_time)) {
                            String name = kindPrefix + "register-first-time g=" + groups;
                            String prefix = devicePrefix + "-" + runTag + "-" + kindPrefix + "g" + groups;
                            log.println(name + ": new registration ids " + prefix + "-<n>");
                            results.add(load.run(PhasePlan.timed(name, kindPrefix + "register-first-time", groups,
                                    concurrency, address, DeviceSources.firstTime(via, target, prefix, keys), warmup,
                                    duration)));
                            log.println(summary(results.get(results.size() - 1)));
                        }
                        if (phases.contains(Phase.returning)) {
                            String name = kindPrefix + "register-returning g=" + groups;
                            if (!poolRegistered) {
                                log.printf(Locale.ROOT, "%s: registering %d devices %s-g%d-<i> once first%n", name,
                                        devices, devicePrefix, groups);
                                PhaseResult warm = load.run(PhasePlan.untilExhausted("warm " + name, "warm", groups,
                                        concurrency, address, DeviceSources.once(via, target, pool)));
                                log.println(summary(warm));
                                poolRegistered = true;
                            }
                            results.add(load.run(PhasePlan.timed(name, kindPrefix + "register-returning", groups,
                                    concurrency, address, DeviceSources.cycling(via, target, pool), warmup,
                                    duration)));
                            log.println(summary(results.get(results.size() - 1)));
                        }
                    }
                }
            }
        }
        if (inProcessClass != null) {
            results.addAll(runInProcess(connection, target, runTag, groupSet.iterator().next(), pid));
        }

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("url", url.toString());
        settings.put("baselineUrl", baseline.toString());
        settings.put("concurrency", concurrency);
        settings.put("durationSeconds", duration.toMillis() / 1000.0);
        settings.put("warmupSeconds", warmup.toMillis() / 1000.0);
        settings.put("groups", List.copyOf(groupSet));
        settings.put("devices", devices);
        settings.put("clientThreads", threads);
        settings.put("tlsProvider", tls.providerName());
        settings.put("tlsProtocols", tlsProtocols);
        settings.put("tlsGroups", groupsOffered.isEmpty() ? List.of("default") : groupsOffered);
        settings.put("tlsHandshakes", tlsResumption ? "resumed" : "full");
        settings.put("pollDelayMs", pollDelayMillis);
        settings.put("mqtt", mqttEndpoint == null ? "off" : mqttAddress().toString());
        settings.put("cores", Runtime.getRuntime().availableProcessors());
        Report report = new Report(results, settings);
        report.print(System.out);
        if (jsonOut != null) {
            Files.writeString(jsonOut, report.json() + "\n");
        }
        return 0;
    }

    /** {@code --mqtt}'s host:port, or the {@code --url} host on 8883 (the port the Java SDK always dials). */
    private InetSocketAddress mqttAddress() throws UnknownHostException {
        String value = mqttEndpoint.isBlank() ? url.getHost() + ":8883" : mqttEndpoint.trim();
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            value = value + ":8883";
            colon = value.lastIndexOf(':');
        }
        return resolve(URI.create("https://" + value.substring(0, colon) + ":" + value.substring(colon + 1)));
    }

    private List<byte[]> groupKeys(EnrollmentGroups setup, int groups) throws Exception {
        long start = System.nanoTime();
        List<SymmetricKeyGroup> created = setup.ensure(groupPrefix, groups);
        long reused = created.stream().filter(SymmetricKeyGroup::reused).count();
        log.printf(Locale.ROOT, "enrollment groups %s0000..%s%04d ready (%d created, %d reused) in %.1f s%n",
                groupPrefix, groupPrefix, groups - 1, groups - reused, reused, (System.nanoTime() - start) / 1e9);
        return created.stream().map(SymmetricKeyGroup::primaryKey).toList();
    }

    private List<PhaseResult> runInProcess(LocalStackConnection connection, RegistrationTarget target, String runTag,
                                           int groups, OptionalLong pid) throws Exception {
        InProcessRegistration registration = InProcessPhase.load(inProcessClass);
        if (registration == null) {
            log.println("in-process: skipped, no InProcessRegistration "
                    + (inProcessClass.isBlank() ? "found by ServiceLoader" : inProcessClass + " on the class path"));
            return List.of();
        }
        List<PhaseResult> results = new ArrayList<>();
        try (registration) {
            Path dataDirectory = connectionFile.toAbsolutePath().getParent();
            registration.open(dataDirectory);
            EnrollmentGroups setup = new EnrollmentGroups(url, caPem, connection);
            List<byte[]> keys = groupKeys(setup, groups);
            InProcessPhase phase = new InProcessPhase(registration, target, concurrency, pid);
            long warmCount = Math.min(Math.max(inProcessCount / 10, 1), 10_000);
            String firstTimePrefix = devicePrefix + "-ip-" + runTag + "-g" + groups;
            log.printf(Locale.ROOT, "in-process (%s): %d first-time registrations after %d unmeasured%n",
                    registration.getClass().getName(), inProcessCount, warmCount);
            phase.warm(n -> Device.ofGroup(firstTimePrefix + "-w" + n, keys.get((int) (n % keys.size()))), warmCount);
            results.add(phase.measure("in-process-first-time g=" + groups, "in-process-first-time", groups,
                    n -> Device.ofGroup(firstTimePrefix + "-" + n, keys.get((int) (n % keys.size()))), inProcessCount));
            log.println(summary(results.get(results.size() - 1)));

            List<Device> pool = DeviceSources.pool(devicePrefix + "-ip-g" + groups,
                    (int) Math.min(devices, inProcessCount), keys);
            log.printf(Locale.ROOT, "in-process: %d returning registrations over %d devices registered once first%n",
                    inProcessCount, pool.size());
            phase.warm(n -> pool.get((int) n), pool.size());
            results.add(phase.measure("in-process-returning g=" + groups, "in-process-returning", groups,
                    n -> pool.get((int) (n % pool.size())), inProcessCount));
            log.println(summary(results.get(results.size() - 1)));
        }
        return results;
    }

    private static String summary(PhaseResult p) {
        return String.format(Locale.ROOT, "  %s: %d ok, %d errors in %.1f s = %.1f/s; p50 %.2f ms, p99 %.2f ms%s",
                p.name(), p.totals().succeeded(), p.totals().failed(), p.seconds(), p.perSecond(), p.latencyMillis(50),
                p.latencyMillis(99), p.totals().errors().isEmpty() ? "" : "; errors " + p.totals().errors());
    }

    /** {@code host[:port]} as a client sends it; no port when it is the scheme's default. */
    static String hostHeader(URI uri) {
        int port = uri.getPort();
        return port < 0 || port == 443 ? uri.getHost() : uri.getHost() + ":" + port;
    }

    static String pathAndQuery(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    /** Resolved once, IPv4 first (the local host listens on 127.0.0.1), so no connection waits on a lookup. */
    static InetSocketAddress resolve(URI uri) throws UnknownHostException {
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("Not an https URL: " + uri);
        }
        InetAddress[] addresses = InetAddress.getAllByName(uri.getHost());
        InetAddress chosen = addresses[0];
        for (InetAddress address : addresses) {
            if (address instanceof Inet4Address) {
                chosen = address;
                break;
            }
        }
        return new InetSocketAddress(chosen, uri.getPort() < 0 ? 443 : uri.getPort());
    }

    /** {@code 60}, {@code 60s}, {@code 500ms}, {@code 2m} or ISO-8601 ({@code PT1M}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String text = value.trim().toLowerCase(Locale.ROOT);
            if (text.startsWith("pt")) {
                return Duration.parse(text.toUpperCase(Locale.ROOT));
            }
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            if (text.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(text.endsWith("s")
                    ? text.substring(0, text.length() - 1) : text) * 1000));
        }
    }

    private Set<Phase> phasesNamed(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "all" -> EnumSet.allOf(Phase.class);
            case "baseline" -> EnumSet.of(Phase.baseline);
            case "register-first-time", "first-time" -> EnumSet.of(Phase.first_time);
            case "register-returning", "returning" -> EnumSet.of(Phase.returning);
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "Unknown phase '" + value
                    + "' (baseline, register-first-time, register-returning, all)");
        };
    }
}
