package dev.opendps.localhost;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The local host's own settings, each with a default and an override from the environment or local.settings.json:
 * <ul>
 *   <li>{@code DPS_LOCAL_PORT} (8443; 0 = any free port)</li>
 *   <li>{@code DPS_LOCAL_BIND} (127.0.0.1)</li>
 *   <li>{@code DPS_LOCAL_DATA_DIR} ({@code .dps-local} under the working directory): keys, CA and server certificate</li>
 *   <li>{@code DPS_LOCAL_APPS} (comma-separated app directories; default: the two packaged apps of this repository,
 *       those that exist)</li>
 *   <li>{@code DPS_LOCAL_TLS_HOSTNAMES} (comma-separated extra names/IPs for the server certificate)</li>
 *   <li>{@code DPS_LOCAL_WORKER_THREADS} (4 per core, at least 4): threads that run functions</li>
 *   <li>{@code DPS_LOCAL_IO_THREADS} (one per core): event loop threads</li>
 *   <li>{@code DPS_LOCAL_MAX_BODY_BYTES} (4 MiB): larger request bodies get 413</li>
 *   <li>{@code DPS_LOCAL_FUNCTION_KEY}, {@code DPS_LOCAL_MASTER_KEY} (unset): fixed keys instead of generated ones</li>
 * </ul>
 */
public final class HostSettings {

    public static final String PORT = "DPS_LOCAL_PORT";
    public static final String BIND = "DPS_LOCAL_BIND";
    public static final String DATA_DIR = "DPS_LOCAL_DATA_DIR";
    public static final String APPS = "DPS_LOCAL_APPS";
    public static final String TLS_HOSTNAMES = "DPS_LOCAL_TLS_HOSTNAMES";
    public static final String WORKER_THREADS = "DPS_LOCAL_WORKER_THREADS";
    public static final String IO_THREADS = "DPS_LOCAL_IO_THREADS";
    public static final String MAX_BODY_BYTES = "DPS_LOCAL_MAX_BODY_BYTES";
    public static final String FUNCTION_KEY = "DPS_LOCAL_FUNCTION_KEY";
    public static final String MASTER_KEY = "DPS_LOCAL_MASTER_KEY";

    public static final int DEFAULT_PORT = 8443;
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final String DEFAULT_DATA_DIR = ".dps-local";
    public static final List<String> DEFAULT_APPS = List.of(
            "functions/target/azure-functions/opendps-functions",
            "allocation-functions/target/azure-functions/opendps-allocation-functions");
    public static final int DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

    private static final Logger LOG = Logger.getLogger(HostSettings.class.getName());

    private final int port;
    private final String bindAddress;
    private final Path dataDirectory;
    private final List<Path> appDirectories;
    private final List<String> tlsHostNames;
    private final int workerThreads;
    private final int ioThreads;
    private final int maxRequestBodyBytes;
    private final String functionKey;
    private final String masterKey;

    private HostSettings(Builder builder) {
        this.port = builder.port;
        this.bindAddress = builder.bindAddress;
        this.dataDirectory = builder.dataDirectory;
        this.appDirectories = List.copyOf(builder.appDirectories);
        this.tlsHostNames = List.copyOf(builder.tlsHostNames);
        this.workerThreads = builder.workerThreads;
        this.ioThreads = builder.ioThreads;
        this.maxRequestBodyBytes = builder.maxRequestBodyBytes;
        this.functionKey = builder.functionKey;
        this.masterKey = builder.masterKey;
    }

    /** Defaults relative to {@code workingDirectory}, with no apps. */
    public static Builder builder(Path workingDirectory) {
        return new Builder(workingDirectory);
    }

    /** Resolves every setting from {@code settings}, relative paths against {@code workingDirectory}. */
    public static HostSettings from(AppSettings settings, Path workingDirectory) {
        Path base = workingDirectory.toAbsolutePath().normalize();
        Builder builder = builder(base);
        // A blank value (as in a settings template) means "use the default".
        java.util.function.Function<String, Optional<String>> value =
                name -> settings.get(name).map(String::trim).filter(v -> !v.isEmpty());
        value.apply(PORT).ifPresent(v -> builder.port(parseInt(PORT, v)));
        value.apply(BIND).ifPresent(builder::bindAddress);
        value.apply(DATA_DIR).ifPresent(v -> builder.dataDirectory(base.resolve(v)));
        Optional<String> apps = value.apply(APPS);
        if (apps.isPresent()) {
            builder.appDirectories(commaSeparated(apps.get()).stream().map(base::resolve).toList());
        } else {
            builder.appDirectories(existingDefaultApps(base));
        }
        value.apply(TLS_HOSTNAMES).ifPresent(v -> builder.tlsHostNames(commaSeparated(v)));
        value.apply(WORKER_THREADS).ifPresent(v -> builder.workerThreads(parseInt(WORKER_THREADS, v)));
        value.apply(IO_THREADS).ifPresent(v -> builder.ioThreads(parseInt(IO_THREADS, v)));
        value.apply(MAX_BODY_BYTES).ifPresent(v -> builder.maxRequestBodyBytes(parseInt(MAX_BODY_BYTES, v)));
        value.apply(FUNCTION_KEY).ifPresent(builder::functionKey);
        value.apply(MASTER_KEY).ifPresent(builder::masterKey);
        return builder.build();
    }

    public int port() {
        return port;
    }

    public String bindAddress() {
        return bindAddress;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public List<Path> appDirectories() {
        return appDirectories;
    }

    public List<String> tlsHostNames() {
        return tlsHostNames;
    }

    public int workerThreads() {
        return workerThreads;
    }

    public int ioThreads() {
        return ioThreads;
    }

    public int maxRequestBodyBytes() {
        return maxRequestBodyBytes;
    }

    /** A fixed default function key from settings, if any. */
    public Optional<String> functionKey() {
        return Optional.ofNullable(functionKey);
    }

    /** A fixed master key from settings, if any. */
    public Optional<String> masterKey() {
        return Optional.ofNullable(masterKey);
    }

    public Builder toBuilder() {
        Builder builder = new Builder(Path.of(""));
        builder.port = port;
        builder.bindAddress = bindAddress;
        builder.dataDirectory = dataDirectory;
        builder.appDirectories = new ArrayList<>(appDirectories);
        builder.tlsHostNames = new ArrayList<>(tlsHostNames);
        builder.workerThreads = workerThreads;
        builder.ioThreads = ioThreads;
        builder.maxRequestBodyBytes = maxRequestBodyBytes;
        builder.functionKey = functionKey;
        builder.masterKey = masterKey;
        return builder;
    }

    @Override
    public String toString() {
        return "HostSettings[port=" + port + ", bind=" + bindAddress + ", dataDirectory=" + dataDirectory
                + ", apps=" + appDirectories + ", tlsHostNames=" + tlsHostNames + ", workerThreads=" + workerThreads
                + ", ioThreads=" + ioThreads + ", maxRequestBodyBytes=" + maxRequestBodyBytes
                + ", functionKey=" + (functionKey == null ? "generated" : "set") + ", masterKey="
                + (masterKey == null ? "generated" : "set") + "]";
    }

    private static List<Path> existingDefaultApps(Path base) {
        List<Path> existing = new ArrayList<>();
        for (String app : DEFAULT_APPS) {
            Path directory = base.resolve(app);
            if (Files.isDirectory(directory)) {
                existing.add(directory);
            } else {
                LOG.warning(() -> "Skipping function app " + directory + ": not found (run mvn package first?)");
            }
        }
        return existing;
    }

    private static List<String> commaSeparated(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + value + "'", e);
        }
    }

    public static final class Builder {
        private int port = DEFAULT_PORT;
        private String bindAddress = DEFAULT_BIND;
        private Path dataDirectory;
        private List<Path> appDirectories = new ArrayList<>();
        private List<String> tlsHostNames = new ArrayList<>();
        private int workerThreads = Math.max(4, 4 * Runtime.getRuntime().availableProcessors());
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private int maxRequestBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private String functionKey;
        private String masterKey;

        private Builder(Path workingDirectory) {
            this.dataDirectory = workingDirectory.toAbsolutePath().normalize().resolve(DEFAULT_DATA_DIR);
        }

        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        public Builder bindAddress(String bindAddress) {
            this.bindAddress = Objects.requireNonNull(bindAddress);
            return this;
        }

        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory.toAbsolutePath().normalize();
            return this;
        }

        public Builder appDirectories(List<Path> appDirectories) {
            this.appDirectories = new ArrayList<>(appDirectories);
            return this;
        }

        public Builder addAppDirectory(Path appDirectory) {
            this.appDirectories.add(appDirectory);
            return this;
        }

        public Builder tlsHostNames(List<String> tlsHostNames) {
            this.tlsHostNames = new ArrayList<>(tlsHostNames);
            return this;
        }

        public Builder workerThreads(int workerThreads) {
            this.workerThreads = positive(WORKER_THREADS, workerThreads);
            return this;
        }

        public Builder ioThreads(int ioThreads) {
            this.ioThreads = positive(IO_THREADS, ioThreads);
            return this;
        }

        public Builder maxRequestBodyBytes(int maxRequestBodyBytes) {
            this.maxRequestBodyBytes = positive(MAX_BODY_BYTES, maxRequestBodyBytes);
            return this;
        }

        public Builder functionKey(String functionKey) {
            this.functionKey = functionKey == null || functionKey.isBlank() ? null : functionKey;
            return this;
        }

        public Builder masterKey(String masterKey) {
            this.masterKey = masterKey == null || masterKey.isBlank() ? null : masterKey;
            return this;
        }

        public HostSettings build() {
            return new HostSettings(this);
        }

        private static int positive(String name, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }
    }
}
