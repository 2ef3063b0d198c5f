package dev.opendps.domain.port;

import dev.opendps.domain.RegistrationOperation;
import java.time.Instant;

/** Register operations that devices poll, keyed by operation id. */
public interface RegistrationOperationStore extends VersionedStore<RegistrationOperation> {

    /** Removes operations whose expiry is before {@code now}; returns how many. */
    int deleteExpired(Instant now);
}
