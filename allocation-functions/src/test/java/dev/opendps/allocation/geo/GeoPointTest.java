package dev.opendps.allocation.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GeoPointTest {
    private static final GeoPoint LONDON = new GeoPoint(51.5074, -0.1278);
    private static final GeoPoint PARIS = new GeoPoint(48.8566, 2.3522);

    @Test
    void londonToParisIsAbout344Km() {
        assertThat(LONDON.distanceKm(PARIS)).isCloseTo(343.6, within(1.0));
    }

    @Test
    void distanceIsSymmetricAndZeroToItself() {
        assertThat(PARIS.distanceKm(LONDON)).isEqualTo(LONDON.distanceKm(PARIS));
        assertThat(PARIS.distanceKm(PARIS)).isZero();
    }

    @Test
    void oneDegreeOfLongitudeOnTheEquatorIsAbout111Km() {
        assertThat(new GeoPoint(0, 0).distanceKm(new GeoPoint(0, 1))).isCloseTo(111.195, within(0.01));
    }

    @Test
    void pointsAcrossTheAntimeridianAreClose() {
        assertThat(new GeoPoint(0, 179.5).distanceKm(new GeoPoint(0, -179.5))).isCloseTo(111.195, within(0.01));
    }

    @Test
    void antipodesAreHalfTheCircumferenceApart() {
        assertThat(new GeoPoint(90, 0).distanceKm(new GeoPoint(-90, 0)))
                .isCloseTo(Math.PI * GeoPoint.EARTH_RADIUS_KM, within(1e-6));
    }

    @Test
    void coordinatesOutOfRangeAreRefused() {
        assertThatThrownBy(() -> new GeoPoint(91, 0)).hasMessageContaining("lat");
        assertThatThrownBy(() -> new GeoPoint(0, -181)).hasMessageContaining("lon");
        assertThatThrownBy(() -> new GeoPoint(Double.NaN, 0)).hasMessageContaining("lat");
    }
}
