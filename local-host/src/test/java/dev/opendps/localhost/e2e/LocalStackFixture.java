package dev.opendps.localhost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.sdk.iot.provisioning.service.ProvisioningServiceClient;
import dev.opendps.app.ProvisioningApplication;
import dev.opendps.config.Setting;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.SharedAccessPolicy;
import dev.opendps.localhost.AppSettings;
import dev.opendps.localhost.stack.LocalStack;
import dev.opendps.service.InstanceBootstrap;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The running local stack as end-to-end tests meet it: the packaged functions app on the local host over
 * HTTPS with its own CA, and the official service client reaching it through the 443 tunnel.
 */
final class LocalStackFixture implements AutoCloseable {
    final Path dataDir;
    final LocalStack stack;
    final ProvisioningInstance instance;
    final SSLContext trust;
    private final TunnelProxy tunnel;
    private java.util.Set<String> published = java.util.Set.of();
    private Map<String, String> storeSettings = Map.of();
    private final SSLSocketFactory previousSocketFactory;

    LocalStackFixture(Path dataDir) throws Exception {
        this(dataDir, Map.of(), false);
    }

    /**
     * @param settings        more app settings (they win over the fixture's)
     * @param allocationApp   also host the custom allocation functions app (its webhooks under {@code /api/allocation})
     */
    LocalStackFixture(Path dataDir, Map<String, String> settings, boolean allocationApp) throws Exception {
        this.dataDir = dataDir;
        String apps = packagedApp("functions", "opendps-functions").toString();
        if (allocationApp) {
            apps += "," + packagedApp("allocation-functions", "opendps-allocation-functions");
        }
        Map<String, String> all = new java.util.LinkedHashMap<>(Map.of(
                "DPS_LOCAL_PORT", "0",
                "DPS_LOCAL_DATA_DIR", dataDir.toString(),
                "DPS_LOCAL_APPS", apps,
                // The front door's listeners on free ports, unless a test needs the ones an SDK dials.
                "DPS_MQTT_PORT", String.valueOf(freePort()),
                "DPS_AMQP_PORT", String.valueOf(freePort()),
                "DPS_WEBSOCKET_PORT", String.valueOf(freePort())));
        all.putAll(settings);
        // In a deployment these are environment variables, which function code reads as such; here they stand in
        // as system properties (what the apps also read), removed again on close.
        settings.forEach(System::setProperty);
        published = settings.keySet();
        storeSettings = settings;
        stack = LocalStack.start(AppSettings.of(all), dataDir);
        instance = stack.instances().get(0);
        trust = trusting(stack.host().caCertificate());
        previousSocketFactory = HttpsURLConnection.getDefaultSSLSocketFactory();
        HttpsURLConnection.setDefaultSSLSocketFactory(trust.getSocketFactory());
        tunnel = TunnelProxy.routeHttpsOf(instance.hostName(), stack.host().port());
    }

    /** The settings that put the local host's stores on this Cosmos endpoint instead of the embedded store. */
    static Map<String, String> onCosmos(dev.opendps.testing.CosmosTestServer cosmos) {
        return Map.of(
                "DPS_STORE", "cosmos",
                "DPS_COSMOS_ENDPOINT", cosmos.endpoint(),
                "DPS_COSMOS_KEY", cosmos.key(),
                "DPS_COSMOS_DATABASE", "opendps-e2e");
    }

    private static Path packagedApp(String module, String name) {
        Path app = Path.of("..", module, "target", "azure-functions", name).toAbsolutePath().normalize();
        assertThat(app.resolve("host.json")).as("the " + name + " app is packaged before these tests run").exists();
        return app;
    }

    ProvisioningServiceClient serviceClient() {
        return new ProvisioningServiceClient(InstanceBootstrap.connectionString(instance));
    }

    /** A port free on 127.0.0.1 now (0 would turn a front door listener off rather than pick one). */
    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The front door's port for a listener: {@code mqtt}, {@code amqp} or {@code websocket}. */
    int frontDoorPort(String listener) {
        Integer port = stack.frontDoorPorts().get(listener);
        assertThat(port).as("the front door's " + listener + " listener").isNotNull();
        return port;
    }

    /** {@code localhost:port}: the Java device client takes the port in its global endpoint. */
    String globalEndpoint() {
        return stack.globalDeviceEndpoint();
    }

    /** Changes the instance record directly, as an operator's tooling would (policies, hubs). */
    ProvisioningInstance updateInstance(UnaryOperator<ProvisioningInstance> change) throws Exception {
        try (ProvisioningApplication admin = admin()) {
            ProvisioningInstance current = admin.stores().instances().findByIdScope(instance.idScope()).orElseThrow();
            return admin.stores().instances().replace(change.apply(current), current.etag());
        }
    }

    ProvisioningInstance addPolicy(SharedAccessPolicy policy) throws Exception {
        return updateInstance(current -> {
            List<SharedAccessPolicy> policies = new java.util.ArrayList<>(current.policies());
            policies.add(policy);
            return current.withPolicies(policies);
        });
    }

    /** The identity registration created in the embedded hub registry, if any. */
    Optional<HubDevice> hubDevice(String hubHostName, String deviceId) throws Exception {
        try (ProvisioningApplication admin = admin()) {
            return admin.stores().hubs().find(new LinkedHub(hubHostName, 1, true, null), deviceId);
        }
    }

    /** Changes an identity in the embedded hub registry, as a solution writing to the hub would. */
    HubDevice putHubDevice(HubDevice device) throws Exception {
        try (ProvisioningApplication admin = admin()) {
            return admin.stores().hubs().createOrUpdate(new LinkedHub(device.hubHostName(), 1, true, null), device);
        }
    }

    /** The same stores the hosted apps use (the embedded store in the data folder, or what the settings say). */
    private ProvisioningApplication admin() {
        Map<String, String> settings = new java.util.HashMap<>(storeSettings);
        settings.put(Setting.DATA_DIR.key(), dataDir.toString());
        return ProvisioningApplication.create(dev.opendps.config.AppSettings.of(settings), Clock.systemUTC());
    }

    static String ownerKey(ProvisioningInstance instance) {
        return instance.policy(SharedAccessPolicy.OWNER).orElseThrow().primaryKey();
    }

    private static SSLContext trusting(X509Certificate ca) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("opendps-local-ca", ca);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    @Override
    public void close() throws Exception {
        published.forEach(System::clearProperty);
        tunnel.close();
        HttpsURLConnection.setDefaultSSLSocketFactory(previousSocketFactory);
        stack.close();
    }
}
