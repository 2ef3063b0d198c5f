package dev.opendps.allocation.geo;

import dev.opendps.domain.allocation.GeoLocation;
import java.util.Objects;

/** Where a hub or a device is: a point, and the region it was named by when it was (else null). */
public record Place(String region, GeoLocation point) {
    public Place {
        Objects.requireNonNull(point, "point");
    }
}
