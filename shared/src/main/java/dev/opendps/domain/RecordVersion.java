package dev.opendps.domain;

import java.time.Instant;

/** Server-set bookkeeping of a stored record: its etag (set by the store on every write) and timestamps. */
public record RecordVersion(String etag, Instant createdDateTimeUtc, Instant lastUpdatedDateTimeUtc) {
    public static final RecordVersion NONE = new RecordVersion(null, null, null);

    public RecordVersion withEtag(String newEtag) {
        return new RecordVersion(newEtag, createdDateTimeUtc, lastUpdatedDateTimeUtc);
    }

    /** The version of a record first written at {@code now}. */
    public static RecordVersion createdAt(Instant now) {
        return new RecordVersion(null, now, now);
    }

    /** The version of a record replacing {@code previous} at {@code now}: creation time is kept. */
    public static RecordVersion updatedAt(RecordVersion previous, Instant now) {
        return new RecordVersion(previous.etag(), previous.createdDateTimeUtc(), now);
    }
}
