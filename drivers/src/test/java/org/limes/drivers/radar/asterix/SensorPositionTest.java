package org.limes.drivers.radar.asterix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SensorPositionTest {

    private static final double A = 6_378_137.0;
    private static final double E2 = 6.69437999014e-3;

    @Test
    void theSensorItselfIsTheSensorPosition() {
        double[] p = new SensorPosition(32.8843, 11.5563).locate(0, 0);

        assertThat(p[0]).isCloseTo(32.8843, within(1e-12));
        assertThat(p[1]).isCloseTo(11.5563, within(1e-12));
    }

    /** Small offsets against the radii of curvature: M for north, N cos(lat) for east. */
    @Test
    void smallOffsetsFollowTheEllipsoidsRadiiOfCurvature() {
        double lat = 32.8843;
        double s = Math.sin(Math.toRadians(lat));
        double m = A * (1 - E2) / Math.pow(1 - E2 * s * s, 1.5);
        double n = A / Math.sqrt(1 - E2 * s * s);
        SensorPosition sensor = new SensorPosition(lat, 11.5563);

        double[] north = sensor.locate(0, 100);
        double[] east = sensor.locate(100, 0);

        assertThat(north[0] - lat).isCloseTo(Math.toDegrees(100 / m), within(1e-9));
        assertThat(north[1]).isCloseTo(11.5563, within(1e-12));
        assertThat(east[1] - 11.5563).isCloseTo(Math.toDegrees(100 / (n * Math.cos(Math.toRadians(lat)))), within(1e-9));
    }

    /**
     * The documented error bound: at 20 km, the point lies within 0.1 m of the point at the
     * same ground distance and azimuth (haversine on the local mean radius, itself good to
     * well under 0.5% of the distance at this range, so the check uses 0.5% + 0.1 m).
     */
    @Test
    void distanceAt20KmMatchesTheGroundDistance() {
        SensorPosition sensor = new SensorPosition(32.8843, 11.5563);
        for (int azimuth = 0; azimuth < 360; azimuth += 30) {
            double e = 20_000 * Math.sin(Math.toRadians(azimuth));
            double n = 20_000 * Math.cos(Math.toRadians(azimuth));
            double[] p = sensor.locate(e, n);

            double d = haversine(32.8843, 11.5563, p[0], p[1]);

            assertThat(d).as("azimuth " + azimuth).isCloseTo(20_000, within(20_000 * 0.005 + 0.1));
        }
    }

    @Test
    void rejectsAPositionOffTheGlobe() {
        assertThatThrownBy(() -> new SensorPosition(95, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static double haversine(double lat1, double lon1, double lat2, double lon2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dp = p2 - p1;
        double dl = Math.toRadians(lon2 - lon1);
        double h = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
    }
}
