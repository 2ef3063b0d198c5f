package dev.opendps.allocation.geo;

/** A place on Earth in decimal degrees; {@link #distanceKm} is the great-circle distance. */
public record GeoPoint(double lat, double lon) {
    /** The mean Earth radius (IUGG), in km. */
    static final double EARTH_RADIUS_KM = 6371.0088;

    public GeoPoint {
        if (!(lat >= -90 && lat <= 90)) {
            throw new IllegalArgumentException("lat must be between -90 and 90, was " + lat);
        }
        if (!(lon >= -180 && lon <= 180)) {
            throw new IllegalArgumentException("lon must be between -180 and 180, was " + lon);
        }
    }

    /** Haversine distance: accurate to about 0.5 % on the real (not quite spherical) Earth, which is plenty here. */
    public double distanceKm(GeoPoint other) {
        double dLat = Math.toRadians(other.lat - lat);
        double dLon = Math.toRadians(other.lon - lon);
        double h = Math.pow(Math.sin(dLat / 2), 2)
                + Math.cos(Math.toRadians(lat)) * Math.cos(Math.toRadians(other.lat)) * Math.pow(Math.sin(dLon / 2), 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
    }
}
