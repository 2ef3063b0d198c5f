package dev.opendps.localhost.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.app.ProvisioningApplication;
import dev.opendps.config.Setting;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.localhost.AppSettings;
import dev.opendps.localhost.FunctionsHost;
import dev.opendps.localhost.HostSettings;
import dev.opendps.localhost.HostedApp;
import dev.opendps.localhost.storage.OwnerOnlyFiles;
import dev.opendps.localhost.tls.LocalCertificateAuthority;
import dev.opendps.service.InstanceBootstrap;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole local DPS on embedded defaults: the provisioning instances (created on first start and
 * persisted), the local Functions host serving both function apps over HTTPS, and the protocol front door
 * serving device registration over MQTT and AMQP ({@link LocalFrontDoor}). What a user needs to connect is printed
 * and written to {@code connection.json} in the data directory.
 */
public final class LocalStack implements AutoCloseable {
    private final FunctionsHost host;
    private final LocalFrontDoor frontDoor;
    private final List<ProvisioningInstance> instances;
    private final Path connectionFile;

    private LocalStack(FunctionsHost host, LocalFrontDoor frontDoor, List<ProvisioningInstance> instances,
                       Path connectionFile) {
        this.host = host;
        this.frontDoor = frontDoor;
        this.instances = List.copyOf(instances);
        this.connectionFile = connectionFile;
    }

    public static LocalStack start(AppSettings settings, Path workingDirectory) throws IOException {
        HostSettings hostSettings = HostSettings.from(settings, workingDirectory);
        publishFunctionSettings(settings, hostSettings);
        List<ProvisioningInstance> instances = ensureInstances();
        FunctionsHost host = FunctionsHost.start(hostSettings);
        LocalFrontDoor frontDoor = null;
        try {
            frontDoor = LocalFrontDoor.start(settings, hostSettings);
            Path connectionFile = hostSettings.dataDirectory().resolve("connection.json");
            LocalStack stack = new LocalStack(host, frontDoor, instances, connectionFile);
            Files.writeString(connectionFile, stack.connectionJson());
            return stack;
        } catch (IOException | RuntimeException e) {
            if (frontDoor != null) {
                frontDoor.close();
            }
            host.close();
            throw e;
        }
    }

    /**
     * Function code reads settings from the environment or system properties ({@code dev.opendps.config.AppSettings}):
     * settings given here in other ways are published as system properties, and the apps' embedded store
     * lives in the host's data directory unless {@code DPS_DATA_DIR} says otherwise.
     */
    private static void publishFunctionSettings(AppSettings settings, HostSettings hostSettings) throws IOException {
        settings.publishAsSystemProperties();
        for (Setting setting : Setting.values()) {
            if (System.getenv(setting.key()) == null) {
                settings.get(setting.key()).ifPresent(value -> System.setProperty(setting.key(), value));
            }
        }
        if (settings.get(Setting.DATA_DIR.key()).isEmpty()) {
            System.setProperty(Setting.DATA_DIR.key(), hostSettings.dataDirectory().toString());
        }
        if (settings.get(Setting.CUSTOM_ALLOCATION_CA_FILE.key()).filter(value -> !value.isBlank()).isEmpty()) {
            System.setProperty(Setting.CUSTOM_ALLOCATION_CA_FILE.key(), localCaFile(hostSettings).toString());
        }
    }

    /**
     * The host's CA certificate, created now if this is the first start (the host reuses it), so that custom
     * allocation webhooks served by this host itself are trusted from the first registration on.
     */
    private static Path localCaFile(HostSettings hostSettings) throws IOException {
        OwnerOnlyFiles.createPrivateDirectory(hostSettings.dataDirectory());
        return new LocalCertificateAuthority(hostSettings.dataDirectory()).ensure(hostSettings.tlsHostNames())
                .caCertificateFile();
    }

    /**
     * The default instance and any listed in {@code DPS_INSTANCES}, by the same start-up bootstrap the function
     * app runs on Azure ({@link ProvisioningApplication#ensureConfiguredInstances()}), here before the host starts
     * so that they can be printed.
     */
    private static List<ProvisioningInstance> ensureInstances() throws IOException {
        try (ProvisioningApplication application = ProvisioningApplication.create(
                dev.opendps.config.AppSettings.fromEnvironment(), Clock.systemUTC())) {
            return application.ensureConfiguredInstances();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("Could not prepare the provisioning instances", e);
        }
    }

    public FunctionsHost host() {
        return host;
    }

    /** The default instance first, then those from {@code DPS_INSTANCES}. */
    public List<ProvisioningInstance> instances() {
        return instances;
    }

    public Path connectionFile() {
        return connectionFile;
    }

    /**
     * The front door's ports by listener: {@code mqtt} (MQTT over TLS), {@code amqp} (AMQP over TLS) and
     * {@code websocket} (both over WebSockets), those that are on.
     */
    public Map<String, Integer> frontDoorPorts() {
        return frontDoor.ports();
    }

    /** Devices take {@code host:port} as their global endpoint; the Java device client accepts it as is. */
    public String globalDeviceEndpoint() {
        return "localhost:" + host.port();
    }

    public String serviceEndpoint(ProvisioningInstance instance) {
        return "https://" + instance.hostName() + ":" + host.port();
    }

    String connectionJson() throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        ProvisioningInstance main = instances.get(0);
        root.put("deviceEndpoint", host.baseUri().toString());
        root.put("globalDeviceEndpoint", globalDeviceEndpoint());
        root.put("serviceEndpoint", serviceEndpoint(main));
        root.put("idScope", main.idScope());
        root.put("serviceConnectionString", InstanceBootstrap.connectionString(main));
        root.put("caCertificate", host.caCertificatePath().toString());
        ObjectNode frontDoorPorts = root.putObject("frontDoor").put("host", "localhost").putObject("ports");
        new java.util.TreeMap<>(frontDoorPorts()).forEach(frontDoorPorts::put);
        ArrayNode all = root.putArray("instances");
        for (ProvisioningInstance instance : instances) {
            all.addObject().put("hostName", instance.hostName()).put("idScope", instance.idScope())
                    .put("serviceEndpoint", serviceEndpoint(instance))
                    .put("serviceConnectionString", InstanceBootstrap.connectionString(instance));
        }
        ObjectNode apps = root.putObject("functionApps");
        for (HostedApp app : host.apps()) {
            Map<String, String> entry = new LinkedHashMap<>();
            String prefix = app.routePrefix().isEmpty() ? "" : "/" + app.routePrefix();
            entry.put("baseUrl", host.baseUri().toString().replaceAll("/$", "") + prefix);
            entry.put("functionKey", app.keys().functionKey());
            apps.set(app.name(), mapper.valueToTree(entry));
        }
        return mapper.writeValueAsString(root) + "\n";
    }

    /** The summary printed on start: everything needed to point devices and service clients here. */
    public void printSummary(PrintStream out) {
        ProvisioningInstance main = instances.get(0);
        out.println();
        out.println("OpenDPS is running.");
        out.println("  Device endpoint (global endpoint): " + globalDeviceEndpoint() + "   (" + host.baseUri() + ")");
        out.println("  ID scope:                          " + main.idScope());
        out.println("  Service endpoint:                  " + serviceEndpoint(main));
        out.println("  Service connection string:         " + InstanceBootstrap.connectionString(main));
        out.println("  CA certificate (trust it):         " + host.caCertificatePath());
        Map<String, Integer> ports = frontDoorPorts();
        if (ports.containsKey("mqtt")) {
            out.println("  MQTT (TLS):                        localhost:" + ports.get("mqtt"));
        }
        if (ports.containsKey("amqp")) {
            out.println("  AMQP (TLS):                        localhost:" + ports.get("amqp"));
        }
        if (ports.containsKey("websocket")) {
            out.println("  MQTT/AMQP over WebSockets:         wss://localhost:" + ports.get("websocket")
                    + (ports.get("websocket") == 443 ? "" : "   (the device SDKs dial 443: forward it here)"));
        }
        out.println("  Linked hubs:                       " + String.join(", ",
                main.linkedHubs().stream().map(h -> h.hostName() + " (weight " + h.allocationWeight() + ")").toList()));
        for (ProvisioningInstance other : instances.subList(1, instances.size())) {
            out.println("  Instance " + other.hostName() + ": ID scope " + other.idScope() + ", "
                    + InstanceBootstrap.connectionString(other));
        }
        out.println("  Written to:                        " + connectionFile);
        out.flush();
    }

    @Override
    public void close() {
        frontDoor.close();
        host.close();
    }
}
