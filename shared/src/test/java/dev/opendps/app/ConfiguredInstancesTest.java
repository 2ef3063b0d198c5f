package dev.opendps.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.config.AppSettings;
import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.testing.CosmosTestServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up bootstrap every function app instance runs ({@link ProvisioningApplication#started}): the
 * instances the settings describe exist afterwards, however many processes started at once.
 */
class ConfiguredInstancesTest {
    private static final String HOST = "opendps-functions-x1.azurewebsites.net";
    private static final String HUBS = "HostName=hub-1.azure-devices.net;AllocationWeight=3,"
            + "HostName=hub-2.azure-devices.net;ApplyAllocationPolicy=false";

    @TempDir
    Path dataDir;

    private AppSettings settings(Map<String, String> more) {
        Map<String, String> values = new HashMap<>(Map.of("DPS_DATA_DIR", dataDir.toString(),
                "DPS_DEFAULT_INSTANCE_HOST", HOST));
        values.putAll(more);
        return AppSettings.of(values);
    }

    private static List<ProvisioningInstance> instances(ProvisioningApplication application) {
        return application.stores().instances().list();
    }

    @Test
    void theFirstStartCreatesTheConfiguredInstancesAndLaterStartsKeepThem() throws Exception {
        AppSettings settings = settings(Map.of("DPS_LINKED_HUBS", HUBS, "DPS_DEFAULT_ALLOCATION_POLICY", "static",
                "DPS_INSTANCES", "second.example.net=0ne00000A1B,third.example.net", "DPS_HUB_REGISTRY", "iothub"));
        ProvisioningInstance first;
        try (ProvisioningApplication application = ProvisioningApplication.started(settings, Clock.systemUTC())) {
            first = application.stores().instances().findByHostName(HOST).orElseThrow();
            assertThat(first.idScope()).matches("0ne[0-9A-F]{8}");
            assertThat(first.defaultAllocationPolicy()).isEqualTo(AllocationPolicy.STATIC);
            assertThat(first.linkedHubs()).extracting(LinkedHub::hostName, LinkedHub::allocationWeight,
                    LinkedHub::applyAllocationPolicy).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("hub-1.azure-devices.net", 3, true),
                    org.assertj.core.groups.Tuple.tuple("hub-2.azure-devices.net", 1, false));
            assertThat(application.stores().instances().findByHostName("second.example.net").orElseThrow().idScope())
                    .isEqualTo("0ne00000A1B");
            assertThat(instances(application)).hasSize(3);
        }

        try (ProvisioningApplication again = ProvisioningApplication.started(settings, Clock.systemUTC())) {
            assertThat(again.ensureConfiguredInstances().get(0)).isEqualTo(first);
            assertThat(instances(again)).hasSize(3);
        }
    }

    @Test
    void changedLinkedHubsAndPolicyAreAppliedOnTheNextStartKeepingTheIdScopeAndKeys() throws Exception {
        ProvisioningInstance before;
        try (ProvisioningApplication application = ProvisioningApplication.started(settings(Map.of(
                "DPS_LINKED_HUBS", HUBS, "DPS_HUB_REGISTRY", "iothub")), Clock.systemUTC())) {
            before = application.ensureConfiguredInstances().get(0);
        }

        try (ProvisioningApplication application = ProvisioningApplication.started(settings(Map.of(
                "DPS_LINKED_HUBS", "HostName=hub-3.azure-devices.net", "DPS_DEFAULT_ALLOCATION_POLICY", "geoLatency",
                "DPS_HUB_REGISTRY", "iothub")), Clock.systemUTC())) {
            ProvisioningInstance after = application.stores().instances().findByHostName(HOST).orElseThrow();

            assertThat(after.idScope()).isEqualTo(before.idScope());
            assertThat(after.policies()).isEqualTo(before.policies());
            assertThat(after.linkedHubs()).extracting(LinkedHub::hostName).containsExactly("hub-3.azure-devices.net");
            assertThat(after.defaultAllocationPolicy()).isEqualTo(AllocationPolicy.GEO_LATENCY);
        }
    }

    @Test
    void withRealIotHubsAndNoneConfiguredNoLocalHubsAreMadeUp() throws Exception {
        try (ProvisioningApplication application = ProvisioningApplication.started(settings(Map.of(
                "DPS_HUB_REGISTRY", "iothub")), Clock.systemUTC())) {
            assertThat(application.ensureConfiguredInstances().get(0).linkedHubs()).isEmpty();
        }
    }

    @Test
    void withTheEmbeddedHubRegistryAnInstanceWithoutHubsGetsLocalHubs() throws Exception {
        try (ProvisioningApplication application = ProvisioningApplication.started(settings(Map.of()),
                Clock.systemUTC())) {
            assertThat(application.ensureConfiguredInstances().get(0).linkedHubs())
                    .hasSize(ProvisioningApplication.LOCAL_HUBS);
        }
    }

    /**
     * Azure starts several instances of the app at once on a fresh deployment, each with its own Cosmos client:
     * the store's create-if-absent and etags decide, and every process ends up with the same instance (one ID
     * scope, one set of owner keys, one set of local hubs).
     */
    @Test
    void appInstancesStartingAtOnceOnCosmosAgreeOnOneInstance() throws Exception {
        int processes = 4;
        try (CosmosTestServer cosmos = CosmosTestServer.start()) {
            AppSettings settings = settings(Map.of("DPS_STORE", "cosmos", "DPS_COSMOS_ENDPOINT", cosmos.endpoint(),
                    "DPS_COSMOS_KEY", cosmos.key(), "DPS_HUB_REGISTRY", "embedded"));
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService starting = Executors.newFixedThreadPool(processes);
            List<ProvisioningApplication> started = new ArrayList<>();
            try {
                List<Future<ProvisioningApplication>> futures = new ArrayList<>();
                for (int i = 0; i < processes; i++) {
                    Callable<ProvisioningApplication> start = () -> {
                        go.await();
                        return ProvisioningApplication.started(settings, Clock.systemUTC());
                    };
                    futures.add(starting.submit(start));
                }
                go.countDown();
                for (Future<ProvisioningApplication> future : futures) {
                    started.add(future.get(60, TimeUnit.SECONDS));
                }

                List<ProvisioningInstance> seen = new ArrayList<>();
                for (ProvisioningApplication application : started) {
                    seen.add(application.ensureConfiguredInstances().get(0));
                }
                assertThat(seen).extracting(ProvisioningInstance::idScope).containsOnly(seen.get(0).idScope());
                assertThat(seen).extracting(ProvisioningInstance::policies).containsOnly(seen.get(0).policies());
                assertThat(seen).extracting(ProvisioningInstance::linkedHubs).containsOnly(seen.get(0).linkedHubs());
                assertThat(seen.get(0).linkedHubs()).hasSize(ProvisioningApplication.LOCAL_HUBS);
                assertThat(instances(started.get(0))).extracting(ProvisioningInstance::hostName).containsExactly(HOST);
            } finally {
                starting.shutdownNow();
                for (ProvisioningApplication application : started) {
                    application.close();
                }
            }
        }
    }
}
