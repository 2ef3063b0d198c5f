package dev.opendps.domain;

/** A record a store keeps under an id with optimistic concurrency by etag. */
public interface Versioned<T extends Versioned<T>> {
    /** The record's key within its instance; compared case-insensitively. */
    String id();

    RecordVersion version();

    T withVersion(RecordVersion version);

    default String etag() {
        return version().etag();
    }
}
