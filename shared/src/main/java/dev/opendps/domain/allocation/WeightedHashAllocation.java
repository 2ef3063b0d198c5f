package dev.opendps.domain.allocation;

import dev.opendps.domain.LinkedHub;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code hashed} policy (dps-protocol.md §6.1): weighted rendezvous hashing of a registration id over the
 * candidate hubs. Each hub scores {@code -weight / ln(u)}, with {@code u} in (0, 1) drawn from SHA-256 of the
 * lower-cased registration id and hub host name; the highest score wins. So the same device and the same hub
 * set always give the same hub, in any order of candidates and on any JVM; removing a hub moves only the
 * devices that were on it; and a hub wins a share of devices proportional to its weight.
 *
 * <p>DPS does not publish its hash, so devices may land on other hubs than real DPS would put them; the
 * properties above are what clients can observe and rely on. Changing this function reassigns devices on
 * their next registration: treat it as stored data, never change it.
 */
public final class WeightedHashAllocation {
    /** 2^-52: turns 52 bits of a hash into a double in [0, 1); 52, not 53, so that adding 0.5 stays exact. */
    private static final double UNIT = 0x1.0p-52;

    private WeightedHashAllocation() {
    }

    /** The winning hub among {@code candidates} for {@code registrationId}; empty if there are none. */
    public static Optional<LinkedHub> choose(String registrationId, Collection<LinkedHub> candidates) {
        Objects.requireNonNull(registrationId, "registrationId");
        LinkedHub best = null;
        double bestScore = 0;
        for (LinkedHub hub : candidates) {
            double score = score(registrationId, hub);
            // Ties (vanishingly rare) go to the smaller host name, so the order of candidates never matters.
            if (best == null || score > bestScore
                    || score == bestScore && hostKey(hub).compareTo(hostKey(best)) < 0) {
                best = hub;
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The hub's score for the registration: {@code -weight / ln(u)}, positive, larger is better. Public so that
     * an allocation can be explained; {@link #choose} is what decides.
     */
    public static double score(String registrationId, LinkedHub hub) {
        return -hub.allocationWeight() / Math.log(uniform(registrationId, hub.hostName()));
    }

    /**
     * A stable pseudo-random number in the open interval (0, 1) for the pair: the first 52 bits of
     * SHA-256 over {@code lower(registrationId) NUL lower(hostName)}, offset by half a step so it is neither
     * 0 nor 1.
     */
    static double uniform(String registrationId, String hostName) {
        byte[] digest = sha256(registrationId.toLowerCase(Locale.ROOT) + '\0' + hostName.toLowerCase(Locale.ROOT));
        long bits = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            bits = (bits << 8) | (digest[i] & 0xff);
        }
        return ((bits >>> 12) + 0.5) * UNIT;
    }

    private static String hostKey(LinkedHub hub) {
        return hub.hostName().toLowerCase(Locale.ROOT);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }
}
