package dev.opendps.service;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.RecordVersion;
import dev.opendps.domain.Versioned;
import dev.opendps.domain.port.EtagMismatchException;
import dev.opendps.domain.port.InvalidContinuationTokenException;
import dev.opendps.domain.port.Page;
import dev.opendps.domain.port.RecordAlreadyExistsException;
import dev.opendps.domain.port.RecordNotFoundException;
import dev.opendps.domain.port.VersionedStore;
import java.time.Clock;
import java.util.function.UnaryOperator;

/**
 * Create/replace/read/delete of one kind of record with the service API's etag rules (dps-protocol.md §4.3):
 * PUT without If-Match only creates (409 if the record exists), {@code *} creates or replaces, an etag
 * replaces only that version (412 otherwise, 404 if there is no record); DELETE likewise.
 */
public final class RecordLifecycle<T extends Versioned<T>> {
    /** How often an unconditional update re-reads a record that concurrent writers keep changing. */
    private static final int MAX_UPDATE_ATTEMPTS = 5;

    private final VersionedStore<T> store;
    private final Clock clock;
    private final ErrorCode notFound;
    private final String kind;

    public RecordLifecycle(VersionedStore<T> store, Clock clock, ErrorCode notFound, String kind) {
        this.store = store;
        this.clock = clock;
        this.notFound = notFound;
        this.kind = kind;
    }

    /**
     * Writes the record with this id. {@code build} makes the record to store from the existing one (null
     * on create), e.g. keeping keys the client did not send again; it validates, so it runs before any write.
     */
    public T put(String idScope, String id, String ifMatch, UnaryOperator<T> build) {
        boolean any = "*".equals(ifMatch);
        T existing = store.find(idScope, id).orElse(null);
        if (existing == null) {
            if (ifMatch != null && !any) {
                throw notFound();
            }
            T record = build.apply(null).withVersion(RecordVersion.createdAt(clock.instant()));
            try {
                return store.create(idScope, record);
            } catch (RecordAlreadyExistsException e) {
                throw alreadyExists();
            }
        }
        if (ifMatch == null) {
            throw alreadyExists();
        }
        if (!any && !ifMatch.equals(existing.etag())) {
            throw preconditionFailed();
        }
        try {
            return replaceVersion(idScope, existing, build.apply(existing));
        } catch (EtagMismatchException e) {
            throw preconditionFailed();
        }
    }

    /**
     * Changes an existing record (404 if there is none). {@code ifMatch} null or {@code *} takes whatever version
     * is stored, re-reading it if a concurrent write wins; an etag changes only that version (412 otherwise).
     * {@code change} validates, so it runs before any write.
     */
    public T update(String idScope, String id, String ifMatch, UnaryOperator<T> change) {
        boolean any = ifMatch == null || "*".equals(ifMatch);
        for (int attempt = 1; ; attempt++) {
            T existing = get(idScope, id);
            if (!any && !ifMatch.equals(existing.etag())) {
                throw preconditionFailed();
            }
            try {
                return replaceVersion(idScope, existing, change.apply(existing));
            } catch (EtagMismatchException e) {
                if (!any || attempt == MAX_UPDATE_ATTEMPTS) {
                    throw preconditionFailed();
                }
            }
        }
    }

    /**
     * Stores {@code changed} as the successor of {@code existing}: a compare-and-set against the version read, so a
     * concurrent writer is never overwritten ({@link EtagMismatchException} tells the caller it lost).
     */
    private T replaceVersion(String idScope, T existing, T changed) {
        T record = changed.withVersion(RecordVersion.updatedAt(existing.version(), clock.instant()));
        try {
            return store.replace(idScope, record, existing.etag());
        } catch (RecordNotFoundException e) {
            throw notFound();
        }
    }

    public T get(String idScope, String id) {
        return store.find(idScope, id).orElseThrow(this::notFound);
    }

    public void delete(String idScope, String id, String ifMatch) {
        try {
            store.delete(idScope, id, "*".equals(ifMatch) ? null : ifMatch);
        } catch (RecordNotFoundException e) {
            throw notFound();
        } catch (EtagMismatchException e) {
            throw preconditionFailed();
        }
    }

    public Page<T> list(String idScope, int maxItems, String continuationToken) {
        try {
            return store.list(idScope, maxItems, continuationToken);
        } catch (InvalidContinuationTokenException e) {
            throw new ProvisioningException(ErrorCode.INVALID_QUERY, "The continuation token is not valid.");
        }
    }

    private ProvisioningException notFound() {
        return new ProvisioningException(notFound, "The " + kind + " was not found.");
    }

    private ProvisioningException alreadyExists() {
        return new ProvisioningException(ErrorCode.ALREADY_EXISTS,
                "The " + kind + " already exists; send If-Match with its etag (or *) to replace it.");
    }

    private ProvisioningException preconditionFailed() {
        return new ProvisioningException(ErrorCode.PRECONDITION_FAILED,
                "The etag does not match the current " + kind + ".");
    }
}
