package dev.opendps.adapters;

/**
 * Turns a domain record into the JSON document a store keeps, and back. Document stores (the embedded
 * SQLite store, Cosmos DB) share these codecs so a record reads the same whichever store wrote it.
 */
public interface DocumentCodec<T> {
    String encode(T record);

    T decode(String document);
}
