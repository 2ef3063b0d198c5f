package dev.opendps.domain.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GeoLocationTest {
    private static final GeoLocation LONDON = new GeoLocation(51.5074, -0.1278);
    private static final GeoLocation PARIS = new GeoLocation(48.8566, 2.3522);

    @Test
    void theHaversineDistanceBetweenLondonAndParisIsAbout344Km() {
        assertThat(LONDON.distanceKm(PARIS)).isCloseTo(343.6, within(1.0));
        assertThat(PARIS.distanceKm(LONDON)).isEqualTo(LONDON.distanceKm(PARIS));
    }

    @Test
    void aPointIsNoDistanceFromItself() {
        assertThat(LONDON.distanceKm(new GeoLocation(51.5074, -0.1278))).isZero();
    }

    @Test
    void distancesCrossTheAntimeridianTheShortWay() {
        assertThat(new GeoLocation(0, 179.5).distanceKm(new GeoLocation(0, -179.5))).isCloseTo(111.2, within(0.5));
    }

    @Test
    void antipodesAreHalfTheCircumferenceApart() {
        assertThat(new GeoLocation(90, 0).distanceKm(new GeoLocation(-90, 0))).isCloseTo(20015.1, within(1.0));
        assertThat(new GeoLocation(0, 0).distanceKm(new GeoLocation(0, 180))).isCloseTo(20015.1, within(1.0));
    }

    @Test
    void coordinatesOutOfRangeAreRefused() {
        assertThatThrownBy(() -> new GeoLocation(90.5, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GeoLocation(0, -180.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GeoLocation(Double.NaN, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builtInRegionsAreFoundByEitherSpelling() {
        assertThat(AzureRegions.find("westeurope")).isPresent();
        assertThat(AzureRegions.find("West Europe")).isEqualTo(AzureRegions.find("westeurope"));
        assertThat(AzureRegions.find("atlantis")).isEmpty();
        assertThat(AzureRegions.find(null)).isEmpty();
    }
}
