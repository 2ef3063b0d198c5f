package dev.opendps.domain.allocation;

/**
 * A point on the Earth in degrees (WGS 84 latitude and longitude), for the {@code geoLatency} approximation
 * (dps-protocol.md §6.1): distance stands in for latency.
 */
public record GeoLocation(double latitude, double longitude) {
    /** The mean Earth radius (IUGG), in kilometres. */
    private static final double EARTH_RADIUS_KM = 6371.0088;

    public GeoLocation {
        if (!(latitude >= -90 && latitude <= 90)) {
            throw new IllegalArgumentException("latitude must be -90 to 90, was " + latitude);
        }
        if (!(longitude >= -180 && longitude <= 180)) {
            throw new IllegalArgumentException("longitude must be -180 to 180, was " + longitude);
        }
    }

    /**
     * The great-circle distance to {@code other} in kilometres, by the haversine formula on a sphere: off by
     * at most about 0.5% from the ellipsoid, far less than latency differs from distance anyway.
     */
    public double distanceKm(GeoLocation other) {
        double phi1 = Math.toRadians(latitude);
        double phi2 = Math.toRadians(other.latitude);
        double dPhi = phi2 - phi1;
        double dLambda = Math.toRadians(other.longitude - longitude);
        double h = haversine(dPhi) + Math.cos(phi1) * Math.cos(phi2) * haversine(dLambda);
        // Rounding can push h a hair past 1 for antipodal points; asin would then be NaN.
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1, h)));
    }

    private static double haversine(double angle) {
        double s = Math.sin(angle / 2);
        return s * s;
    }
}
