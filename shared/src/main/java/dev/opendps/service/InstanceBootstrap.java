package dev.opendps.service;

import dev.opendps.domain.AccessRight;
import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.SharedAccessPolicy;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.port.InstanceStore;
import dev.opendps.domain.port.RecordAlreadyExistsException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Creates provisioning service instances: an ID scope ({@code 0ne} + 8 hex digits, §1) and a
 * {@code provisioningserviceowner} policy with every right and random keys, as Azure does for a new DPS.
 */
public final class InstanceBootstrap {
    private static final Pattern ID_SCOPE = Pattern.compile("0ne[0-9A-Fa-f]{8}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final InstanceStore instances;
    private final Clock clock;

    public InstanceBootstrap(InstanceStore instances, Clock clock) {
        this.instances = instances;
        this.clock = clock;
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
                idScope != null ? idScope : randomIdScope(), List.of(owner), List.of(), AllocationPolicy.HASHED, null,
                clock.instant());
        try {
            return instances.create(instance);
        } catch (RecordAlreadyExistsException e) {
            // Another process created it at the same moment, or the random scope collided: read what won.
            return instances.findByHostName(host).orElseThrow(() -> e);
        }
    }

    /**
     * Links {@code hubs} to the instance and sets its default allocation policy; with no hubs given, an
     * instance without hubs gets {@code localHubs} embedded local hubs (so a fresh local stack can assign
     * devices), and one that has hubs keeps them.
     */
    public ProvisioningInstance configureHubs(ProvisioningInstance instance, List<LinkedHub> hubs,
                                              AllocationPolicy defaultPolicy, int localHubs) {
        List<LinkedHub> wanted = hubs;
        if (wanted.isEmpty()) {
            wanted = instance.linkedHubs().isEmpty() ? localHubs(localHubs) : instance.linkedHubs();
        }
        if (wanted.equals(instance.linkedHubs()) && defaultPolicy == instance.defaultAllocationPolicy()) {
            return instance;
        }
        return instances.replace(instance.withHubs(wanted, defaultPolicy), instance.etag());
    }

    private static List<LinkedHub> localHubs(int count) {
        List<LinkedHub> hubs = new java.util.ArrayList<>();
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
