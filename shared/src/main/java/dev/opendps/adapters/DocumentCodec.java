package dev.opendps.adapters;

import java.util.List;

/**
 * Turns a domain record into the JSON document a store keeps, and back. Document stores (the embedded
 * SQLite store, Cosmos DB) share these codecs so a record reads the same whichever store wrote it.
 */
public interface DocumentCodec<T> {
    String encode(T record);

    T decode(String document);

    /**
     * Where the document holds secrets (keys, connection strings), as dotted field paths from the root; a
     * segment ending in {@code []} is an array whose every element is followed. A {@link DocumentProtection}
     * encrypts the string values found there. Empty: the document holds none.
     */
    default List<String> secretPaths() {
        return List.of();
    }
}
