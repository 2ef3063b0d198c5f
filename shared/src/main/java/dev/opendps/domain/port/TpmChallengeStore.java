package dev.opendps.domain.port;

import dev.opendps.domain.TpmChallenge;
import java.time.Instant;

/** The outstanding TPM challenge of each device (§2.4), keyed by registration id. */
public interface TpmChallengeStore extends VersionedStore<TpmChallenge> {

    /** Removes challenges whose expiry is before {@code now}; returns how many. */
    int deleteExpired(Instant now);
}
