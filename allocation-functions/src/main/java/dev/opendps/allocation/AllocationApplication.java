package dev.opendps.allocation;

import dev.opendps.allocation.config.AllocationSetting;
import dev.opendps.allocation.config.ConfigJson;
import dev.opendps.allocation.config.InvalidDocumentException;
import dev.opendps.allocation.geo.GeoShardingAllocator;
import dev.opendps.allocation.geo.GeoShardingConfig;
import dev.opendps.allocation.multitenancy.JsonFileSalesRecords;
import dev.opendps.allocation.multitenancy.MultitenancyAllocator;
import dev.opendps.allocation.multitenancy.SalesRecordsBulkLoad;
import dev.opendps.allocation.solution.SolutionCatalog;
import dev.opendps.allocation.solution.SolutionIsolationAllocator;
import dev.opendps.allocation.webhook.AllocationDecision;
import dev.opendps.allocation.webhook.AllocationWebhook;
import dev.opendps.allocation.webhook.Allocator;
import dev.opendps.config.AppSettings;
import dev.opendps.config.Setting;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The composition root of the allocation app: builds the three webhooks and the records upload from the app
 * settings ({@link AllocationSetting}). A setting that cannot be used does not stop the app: its webhook
 * refuses every device with the reason (and the log says it once), so the problem surfaces as a clear 400
 * rather than a 500 or a dead app.
 */
public final class AllocationApplication {
    private static final System.Logger LOG = System.getLogger(AllocationApplication.class.getName());
    private static volatile AllocationApplication shared;

    private final AllocationWebhook multitenancy;
    private final SalesRecordsBulkLoad multitenancyRecords;
    private final AllocationWebhook geoSharding;
    private final AllocationWebhook solutionIsolation;

    private AllocationApplication(AppSettings settings) {
        JsonFileSalesRecords records = new JsonFileSalesRecords(multitenancyFile(settings));
        this.multitenancy = new AllocationWebhook("multitenancy", new MultitenancyAllocator(records, records));
        this.multitenancyRecords = new SalesRecordsBulkLoad(records);
        this.geoSharding = new AllocationWebhook("geo-sharding", configured("Geo-sharding",
                () -> new GeoShardingAllocator(new GeoShardingConfig(
                        ConfigJson.fromSetting(settings, AllocationSetting.GEO_HUBS).orElse(null),
                        ConfigJson.fromSetting(settings, AllocationSetting.GEO_REGIONS).orElse(null),
                        ConfigJson.fromSetting(settings, AllocationSetting.GEO_NETWORKS).orElse(null),
                        ConfigJson.fromSetting(settings, AllocationSetting.GEO_REGISTRATION_PREFIXES).orElse(null)))));
        this.solutionIsolation = new AllocationWebhook("solution-isolation", configured("Solution isolation",
                () -> new SolutionIsolationAllocator(SolutionCatalog.read(
                        ConfigJson.fromSetting(settings, AllocationSetting.SOLUTIONS).orElse(null)))));
    }

    public static AllocationApplication create(AppSettings settings) {
        return new AllocationApplication(settings);
    }

    /** The process-wide application, built on first use from the environment (app settings). */
    public static AllocationApplication shared() {
        AllocationApplication application = shared;
        if (application == null) {
            synchronized (AllocationApplication.class) {
                application = shared;
                if (application == null) {
                    application = create(AppSettings.fromEnvironment());
                    shared = application;
                }
            }
        }
        return application;
    }

    public AllocationWebhook multitenancy() {
        return multitenancy;
    }

    public SalesRecordsBulkLoad multitenancyRecords() {
        return multitenancyRecords;
    }

    public AllocationWebhook geoSharding() {
        return geoSharding;
    }

    public AllocationWebhook solutionIsolation() {
        return solutionIsolation;
    }

    /** {@code ALLOCATION_MULTITENANCY_FILE}, else {@code <DPS_DATA_DIR>/allocation/multitenancy.json}. */
    static Path multitenancyFile(AppSettings settings) {
        return settings.find(AllocationSetting.MULTITENANCY_FILE.key()).map(Path::of)
                .orElseGet(() -> Path.of(settings.get(Setting.DATA_DIR), "allocation", "multitenancy.json"));
    }

    private static Allocator configured(String policy, Supplier<Allocator> build) {
        try {
            return build.get();
        } catch (InvalidDocumentException e) {
            String reason = policy + " is misconfigured: " + e.getMessage();
            LOG.log(System.Logger.Level.ERROR, reason);
            return request -> new AllocationDecision.Refuse(400, reason);
        }
    }
}
