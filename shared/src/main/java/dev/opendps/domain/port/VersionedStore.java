package dev.opendps.domain.port;

import dev.opendps.domain.Versioned;
import java.util.Optional;

/**
 * Storage of one kind of record per provisioning instance (keyed by ID scope), with optimistic
 * concurrency: every write gives the record a new etag, and a write naming an etag succeeds only if the
 * stored record still has it. Ids are compared case-insensitively (dps-protocol.md §2.3).
 */
public interface VersionedStore<T extends Versioned<T>> {

    Optional<T> find(String idScope, String id);

    /** Stores a new record and returns it with its etag; {@link RecordAlreadyExistsException} if the id is taken. */
    T create(String idScope, T record);

    /**
     * Replaces a stored record. {@code ifMatch} null replaces unconditionally; otherwise it must equal the
     * stored etag ({@link EtagMismatchException}). {@link RecordNotFoundException} if there is none.
     */
    T replace(String idScope, T record, String ifMatch);

    /** Deletes a record, with the same {@code ifMatch} rule as {@link #replace}. */
    void delete(String idScope, String id, String ifMatch);

    /**
     * Lists records in a stable order, {@code maxItems} at most (0 or less: the store's default page size),
     * continuing after {@code continuationToken} (null: from the start). A token not made by this store gives
     * {@link InvalidContinuationTokenException}.
     */
    Page<T> list(String idScope, int maxItems, String continuationToken);
}
