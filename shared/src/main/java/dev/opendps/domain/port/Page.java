package dev.opendps.domain.port;

import java.util.List;

/** One page of a listing; {@code continuationToken} is null on the last page. */
public record Page<T>(List<T> items, String continuationToken) {
    public Page {
        items = List.copyOf(items);
    }

    public boolean hasMore() {
        return continuationToken != null;
    }
}
