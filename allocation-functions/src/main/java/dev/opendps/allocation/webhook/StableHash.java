package dev.opendps.allocation.webhook;

import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.allocation.WeightedHashAllocation;
import java.util.Collection;
import java.util.Optional;

/**
 * Spreads devices evenly and stably over equally good hubs: the backend's own {@code hashed} policy
 * (rendezvous hashing of the registration id, dps-protocol.md §6.1) with equal weights. The same device and
 * hub set always give the same hub in any order, and removing a hub moves only its own devices.
 */
public final class StableHash {
    private StableHash() {
    }

    /** The hub among {@code hubs} for {@code registrationId}; empty when there are none. */
    public static Optional<String> choose(String registrationId, Collection<String> hubs) {
        return WeightedHashAllocation.choose(registrationId,
                        hubs.stream().map(hub -> new LinkedHub(hub, 1, true, null)).toList())
                .map(LinkedHub::hostName);
    }
}
