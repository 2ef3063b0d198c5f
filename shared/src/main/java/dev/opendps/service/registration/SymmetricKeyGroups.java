package dev.opendps.service.registration;

import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.SymmetricKeyAttestation;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.Page;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds which symmetric-key group a device's token was signed for. The token does not name its group
 * (§6.2), so a first registration tries each group's derived keys; the group list is cached briefly per
 * instance so a burst of first registrations does not re-read every group each time. The cache only
 * narrows the search: the caller re-reads the matched group and verifies against the stored keys, and a
 * miss re-reads the list once, so a new or re-keyed group is found at once.
 */
final class SymmetricKeyGroups {
    private record Candidate(String groupId, byte[] primaryKey, byte[] secondaryKey) {
    }

    private record Snapshot(Instant loadedAt, List<Candidate> candidates) {
    }

    private static final int PAGE = 1000;

    private final EnrollmentGroupStore groups;
    private final Clock clock;
    private final Duration maxAge;
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();

    SymmetricKeyGroups(EnrollmentGroupStore groups, Clock clock, Duration maxAge) {
        this.groups = groups;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /** The id of the group whose derived key signed the token, if any. */
    Optional<String> groupSigning(String idScope, String registrationId, SharedAccessSignature token) {
        Snapshot snapshot = snapshots.get(idScope);
        boolean fresh = false;
        if (snapshot == null || snapshot.loadedAt().plus(maxAge).isBefore(clock.instant())) {
            snapshot = load(idScope);
            fresh = true;
        }
        Optional<String> found = search(snapshot, registrationId, token);
        if (found.isEmpty() && !fresh) {
            found = search(load(idScope), registrationId, token);
        }
        return found;
    }

    /** Every SDK signs the resource as it sent it, so all groups are tried that way before the other forms. */
    private Optional<String> search(Snapshot snapshot, String registrationId, SharedAccessSignature token) {
        List<byte[][]> derived = new ArrayList<>(snapshot.candidates().size());
        for (Candidate candidate : snapshot.candidates()) {
            byte[][] keys = {derive(candidate.primaryKey(), registrationId), derive(candidate.secondaryKey(), registrationId)};
            derived.add(keys);
            if (signedAsSent(token, keys)) {
                return Optional.of(candidate.groupId());
            }
        }
        for (int i = 0; i < derived.size(); i++) {
            for (byte[] key : derived.get(i)) {
                if (key != null && token.isSignedBy(key)) {
                    return Optional.of(snapshot.candidates().get(i).groupId());
                }
            }
        }
        return Optional.empty();
    }

    private static boolean signedAsSent(SharedAccessSignature token, byte[][] keys) {
        for (byte[] key : keys) {
            if (key != null && token.isSignedAsSentBy(key)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] derive(byte[] groupKey, String registrationId) {
        return groupKey == null ? null : SymmetricKeys.deriveDeviceKey(groupKey, registrationId);
    }

    private Snapshot load(String idScope) {
        List<Candidate> candidates = new ArrayList<>();
        String token = null;
        do {
            Page<EnrollmentGroup> page = groups.list(idScope, PAGE, token);
            for (EnrollmentGroup group : page.items()) {
                if (group.settings().attestation() instanceof SymmetricKeyAttestation keys) {
                    candidates.add(new Candidate(group.enrollmentGroupId(), decodeOrNull(keys.primaryKey()),
                            decodeOrNull(keys.secondaryKey())));
                }
            }
            token = page.continuationToken();
        } while (token != null);
        Snapshot snapshot = new Snapshot(clock.instant(), List.copyOf(candidates));
        snapshots.put(idScope, snapshot);
        return snapshot;
    }

    private static byte[] decodeOrNull(String base64) {
        return base64 == null ? null : SharedAccessSignature.decodeKey(base64);
    }
}
