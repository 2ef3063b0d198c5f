package dev.opendps.service;

import dev.opendps.domain.Versioned;
import dev.opendps.domain.port.Page;

/**
 * The service API's operations on one kind of enrollment record (individual enrollments or groups):
 * the same lifecycle and bulk semantics, with kind-specific validation.
 */
public final class EnrollmentRecords<T extends Versioned<T>> {
    /** Validates {@code incoming} for path id {@code id}, merged with the record it replaces (or null). */
    @FunctionalInterface
    interface Rules<T> {
        T apply(String idScope, String id, T incoming, T existing);
    }

    private final RecordLifecycle<T> lifecycle;
    private final Rules<T> rules;

    EnrollmentRecords(RecordLifecycle<T> lifecycle, Rules<T> rules) {
        this.lifecycle = lifecycle;
        this.rules = rules;
    }

    /** Create or replace as the etag rules say (§4.3); returns the stored record with its new etag. */
    public T put(String idScope, String id, T incoming, String ifMatch) {
        // The rules run before the store is written, so bad input changes nothing.
        return lifecycle.put(idScope, id, ifMatch, existing -> rules.apply(idScope, id, incoming, existing));
    }

    public T get(String idScope, String id) {
        return lifecycle.get(idScope, id);
    }

    public void delete(String idScope, String id, String ifMatch) {
        lifecycle.delete(idScope, id, ifMatch);
    }

    public Page<T> query(String idScope, int maxItems, String continuationToken) {
        return lifecycle.list(idScope, maxItems, continuationToken);
    }

    /** One item of a bulk call, applied alone: its failure does not stop the others (§4.4). */
    public void bulkItem(String idScope, BulkMode mode, String id, T item, String itemEtag) {
        String ifMatch = mode.ifMatchFor(itemEtag);
        if (mode == BulkMode.DELETE) {
            delete(idScope, id, ifMatch);
        } else {
            put(idScope, id, item, ifMatch);
        }
    }
}
