package dev.opendps.service;

import dev.opendps.domain.AccessRight;
import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.SharedAccessPolicy;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.port.EtagMismatchException;
import dev.opendps.domain.port.InstanceStore;
import dev.opendps.domain.port.RecordAlreadyExistsException;
import dev.opendps.domain.port.StoreException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Creates provisioning service instances: an ID scope ({@code 0ne} + 8 hex digits, §1) and a
 * {@code provisioningserviceowner} policy with every right and random keys, as Azure does for a new DPS.
 *
 * <p>Every step is safe to run in many processes at once over one store, as every function app instance does on
 * its first start: creating is create-if-absent, and whichever process the store lets create an instance (or
 * change its hubs) first wins; the others read what won and go on from there.
 */
public final class InstanceBootstrap {
    /** Rounds of read-then-write a step tries while other processes change the same instance. */
    static final int MAX_ATTEMPTS = 8;
    private static final Pattern ID_SCOPE = Pattern.compile("0ne[0-9A-Fa-f]{8}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The instances a deployment is configured with: a default instance serving {@code defaultHostName}, linked
     * to {@code linkedHubs} with {@code defaultPolicy}, and more instances, each by host name and optionally a
     * fixed ID scope.
     *
     * @param localHubs embedded local hubs an instance without hubs gets when {@code linkedHubs} is empty (0: none)
     */
    public record Configuration(String defaultHostName, List<LinkedHub> linkedHubs, AllocationPolicy defaultPolicy,
                                List<MoreInstance> moreInstances, int localHubs) {
        public Configuration {
            Objects.requireNonNull(defaultHostName, "defaultHostName");
            linkedHubs = List.copyOf(linkedHubs);
            Objects.requireNonNull(defaultPolicy, "defaultPolicy");
            moreInstances = List.copyOf(moreInstances);
        }
    }

    /** One more instance: its host name and, if fixed, its ID scope (null: a random one). */
    public record MoreInstance(String hostName, String idScope) {
        /**
         * {@code host} or {@code host=0neXXXXXXXX} entries separated by commas (the {@code DPS_INSTANCES} setting).
         */
        public static List<MoreInstance> parse(String setting) {
            List<MoreInstance> instances = new ArrayList<>();
            if (setting == null) {
                return instances;
            }
            for (String entry : setting.split(",")) {
                if (entry.isBlank()) {
                    continue;
                }
                String[] parts = entry.trim().split("=", 2);
                instances.add(new MoreInstance(parts[0].trim(), parts.length > 1 ? parts[1].trim() : null));
            }
            return instances;
        }
    }

    private final InstanceStore instances;
    private final Clock clock;

    public InstanceBootstrap(InstanceStore instances, Clock clock) {
        this.instances = instances;
        this.clock = clock;
    }

    /**
     * Creates the instances {@code configuration} names that do not exist yet and brings the default instance's
     * hubs and policy up to date (others keep theirs, getting local hubs only if they have none); returns them,
     * the default instance first.
     */
    public List<ProvisioningInstance> ensureConfigured(Configuration configuration) {
        List<ProvisioningInstance> result = new ArrayList<>();
        ProvisioningInstance main = ensure(configuration.defaultHostName(), null);
        result.add(configureHubs(main, configuration.linkedHubs(), configuration.defaultPolicy(),
                configuration.localHubs()));
        for (MoreInstance more : configuration.moreInstances()) {
            ProvisioningInstance extra = ensure(more.hostName(), more.idScope());
            result.add(configureHubs(extra, List.of(), extra.defaultAllocationPolicy(), configuration.localHubs()));
        }
        return result;
    }

    /**
     * The instance serving {@code hostName}, created on first use. {@code idScope} may be null (a random
     * one is chosen); if given for an existing instance, it must be that instance's scope.
     */
    public ProvisioningInstance ensure(String hostName, String idScope) {
        String host = InstanceDirectory.hostOnly(hostName);
        if (host.isEmpty()) {
            throw new ProvisioningException(ErrorCode.INVALID_ARGUMENT, "An instance needs a host name.");
        }
        if (idScope != null && !ID_SCOPE.matcher(idScope).matches()) {
            throw new ProvisioningException(ErrorCode.INVALID_ARGUMENT,
                    "An ID scope is '0ne' followed by 8 hexadecimal digits.");
        }
        for (int attempt = 1; ; attempt++) {
            var existing = instances.findByHostName(host);
            if (existing.isPresent()) {
                if (idScope != null && !existing.get().idScope().equalsIgnoreCase(idScope)) {
                    throw new ProvisioningException(ErrorCode.CONFLICT,
                            "Instance " + host + " already exists with ID scope " + existing.get().idScope() + ".");
                }
                return existing.get();
            }
            SharedAccessPolicy owner = new SharedAccessPolicy(SharedAccessPolicy.OWNER, SymmetricKeys.generate(),
                    SymmetricKeys.generate(), EnumSet.allOf(AccessRight.class));
            ProvisioningInstance instance = new ProvisioningInstance(host,
                    idScope != null ? idScope : randomIdScope(), List.of(owner), List.of(), AllocationPolicy.HASHED,
                    null, clock.instant());
            try {
                return instances.create(instance);
            } catch (RecordAlreadyExistsException e) {
                // Another process created this host's instance at the same moment (the next round reads it), or
                // the ID scope is another host's: a random one is drawn again, a fixed one is a conflict.
                if (idScope != null && instances.findByHostName(host).isEmpty()) {
                    throw new ProvisioningException(ErrorCode.CONFLICT,
                            "The ID scope " + idScope + " already belongs to another instance.");
                }
                if (attempt == MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * Links {@code hubs} to the instance and sets its default allocation policy; with no hubs given, an
     * instance without hubs gets {@code localHubs} embedded local hubs (so a fresh local stack can assign
     * devices), and one that has hubs keeps them.
     */
    public ProvisioningInstance configureHubs(ProvisioningInstance instance, List<LinkedHub> hubs,
                                              AllocationPolicy defaultPolicy, int localHubs) {
        ProvisioningInstance current = instance;
        for (int attempt = 1; ; attempt++) {
            List<LinkedHub> wanted = hubs;
            if (wanted.isEmpty()) {
                wanted = current.linkedHubs().isEmpty() ? localHubs(localHubs) : current.linkedHubs();
            }
            if (wanted.equals(current.linkedHubs()) && defaultPolicy == current.defaultAllocationPolicy()) {
                return current;
            }
            try {
                return instances.replace(current.withHubs(wanted, defaultPolicy), current.etag());
            } catch (EtagMismatchException e) {
                // Another process changed it first (most likely to the same configuration): decide again on what it wrote.
                if (attempt == MAX_ATTEMPTS) {
                    throw new StoreException("The instance " + current.hostName() + " changed under every one of "
                            + MAX_ATTEMPTS + " attempts to configure its hubs.", e);
                }
                String scope = current.idScope();
                current = instances.findByIdScope(scope).orElseThrow(() -> new StoreException(
                        "The instance with ID scope " + scope + " was deleted while its hubs were configured."));
            }
        }
    }

    private static List<LinkedHub> localHubs(int count) {
        List<LinkedHub> hubs = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String host = "local-hub-" + i + ".localhost";
            hubs.add(new LinkedHub(host, 1, true,
                    "HostName=" + host + ";SharedAccessKeyName=iothubowner;SharedAccessKey=" + SymmetricKeys.generate()));
        }
        return hubs;
    }

    static String randomIdScope() {
        byte[] bytes = new byte[4];
        RANDOM.nextBytes(bytes);
        return "0ne" + HexFormat.of().formatHex(bytes).toUpperCase(Locale.ROOT);
    }

    /** The service connection string of an instance's owner policy, as the Azure portal shows it. */
    public static String connectionString(ProvisioningInstance instance) {
        SharedAccessPolicy owner = instance.policy(SharedAccessPolicy.OWNER)
                .orElseGet(() -> instance.policies().get(0));
        return "HostName=" + instance.hostName() + ";SharedAccessKeyName=" + owner.keyName()
                + ";SharedAccessKey=" + owner.primaryKey();
    }
}
