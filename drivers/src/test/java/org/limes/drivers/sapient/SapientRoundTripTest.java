package org.limes.drivers.sapient;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.limes.drivers.DecodeException;
import org.limes.drivers.DriverContractTest;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;

/**
 * Any detection, alert or status reading the encoder takes decodes back to an equal reading
 * (doubles within 1e-9 relative; confidences are floats on the wire, so they are drawn as
 * floats), with lat/lon derived again from the range and bearing through the sensor.
 */
class SapientRoundTripTest {

    private static final Instant RECEIVED_AT = Instant.parse("2026-11-26T06:00:03Z");
    private static final String DEVICE = "sapient-radar-1";

    private final SapientDriver withSensor = (SapientDriver) new SapientDriverFactory().create(DriverOptions.of(
            Map.of("device", DEVICE, "sensor_lat", "32.8843", "sensor_lon", "11.5563")));

    @Property(tries = 1000)
    void encodeThenDecodeGivesTheSameReading(@ForAll("readings") Reading reading) throws DecodeException {
        List<Reading> decoded = withSensor.decode(new Frame(withSensor.encode(reading), "property", "t", RECEIVED_AT));

        assertThat(decoded).hasSize(1);
        Reading got = decoded.get(0);
        Reading want = reading;
        if (reading.fields().containsKey("range_m") && !reading.fields().containsKey("bearing_datum")) {
            assertThat(got.fields()).containsKeys("lat_deg", "lon_deg");
            want = reading.withField("lat_deg", got.fields().get("lat_deg")).withField("lon_deg", got.fields().get("lon_deg"));
        }
        if (reading.fields().containsKey("system")) {
            want = want.withField("ok", !"error".equals(reading.fields().get("system")));
        }
        DriverContractTest.assertSameReading(want, got, "round trip");
    }

    @Provide
    Arbitrary<Reading> readings() {
        return Arbitraries.oneOf(detections(), alerts(), statuses());
    }

    private static Arbitrary<Instant> times() {
        return Arbitraries.longs().between(0, 4_102_444_800_000L).map(Instant::ofEpochMilli);
    }

    private static Arbitrary<Double> confidences() {
        return Arbitraries.floats().between(0, 1).map(f -> (double) f);
    }

    /** range/bearing (with an optional elevation and non-true datum) or lat/lon/alt. */
    private static Arbitrary<Map<String, Object>> positions() {
        Arbitrary<Map<String, Object>> polar = Combinators.combine(Arbitraries.doubles().between(0, 50_000).ofScale(6),
                Arbitraries.doubles().between(0, true, 360, false).ofScale(9), Arbitraries.doubles().between(-90, 90).injectNull(0.5),
                Arbitraries.of("magnetic", "grid", "platform").injectNull(0.7)).as((r, b, e, d) -> {
                    Map<String, Object> f = new TreeMap<>();
                    f.put("range_m", r);
                    f.put("bearing_deg", b);
                    if (e != null) {
                        f.put("elevation_deg", e);
                    }
                    if (d != null) {
                        f.put("bearing_datum", d);
                    }
                    return f;
                });
        Arbitrary<Map<String, Object>> geo = Combinators.combine(Arbitraries.doubles().between(-90, 90).ofScale(9),
                Arbitraries.doubles().between(-180, 180).ofScale(9), Arbitraries.doubles().between(-500, 9000).injectNull(0.5))
                .as((lat, lon, alt) -> {
                    Map<String, Object> f = new TreeMap<>();
                    f.put("lat_deg", lat);
                    f.put("lon_deg", lon);
                    if (alt != null) {
                        f.put("alt_m", alt);
                    }
                    return f;
                });
        return Arbitraries.oneOf(polar, geo);
    }

    private static Arbitrary<Reading> detections() {
        return Combinators.combine(times(), Arbitraries.strings().withChars("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
                        .ofLength(26), Arbitraries.of("tracking", "lost", "ended"), positions(),
                Arbitraries.of("person", "vehicle", "animal", "uav").injectNull(0.3), confidences().injectNull(0.3),
                Arbitraries.of("walking", "running", "loitering").injectNull(0.5), confidences().injectNull(0.3))
                .as((time, track, status, position, cls, conf, behaviour, bconf) -> {
                    Map<String, String> tags = new TreeMap<>(Map.of("track", track, "status", status));
                    Map<String, Object> fields = new TreeMap<>(position);
                    if (cls != null) {
                        tags.put("class", cls);
                        if (conf != null) {
                            fields.put("class_confidence", conf);
                        }
                    }
                    if (behaviour != null) {
                        fields.put("behaviour", behaviour);
                        if (bconf != null) {
                            fields.put("behaviour_confidence", bconf);
                        }
                    }
                    if (conf != null && cls == null) {
                        fields.put("detection_confidence", conf);
                    }
                    return new Reading(DEVICE, "", "radar_track", tags, fields, time, RECEIVED_AT);
                });
    }

    private static Arbitrary<Reading> alerts() {
        return Combinators.combine(times(), Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(64),
                Arbitraries.of("active", "acknowledge", "reject", "ignore", "clear"),
                Arbitraries.of("information", "warning", "critical", "error", "fatal", "mode_change").injectNull(0.2),
                Arbitraries.of("low", "medium", "high").injectNull(0.2), Arbitraries.strings().ofMaxLength(80).injectNull(0.3),
                positions().injectNull(0.3), confidences().injectNull(0.3)).as((time, id, status, type, prio, text, pos, conf) -> {
                    Map<String, String> tags = new TreeMap<>(Map.of("status", status));
                    if (type != null) {
                        tags.put("alert_type", type);
                    }
                    if (prio != null) {
                        tags.put("priority", prio);
                    }
                    Map<String, Object> fields = new TreeMap<>();
                    fields.put("alert_id", id);
                    if (text != null) {
                        fields.put("description", text);
                    }
                    if (pos != null) {
                        fields.putAll(pos);
                    }
                    if (conf != null) {
                        fields.put("confidence", conf);
                        fields.put("ranking", conf);
                    }
                    return new Reading(DEVICE, "", "sapient_alert", tags, fields, time, RECEIVED_AT);
                });
    }

    private static Arbitrary<Reading> statuses() {
        return Combinators.combine(times(), Arbitraries.of("ok", "warning", "error", "goodbye"),
                Arbitraries.longs().between(0, 100).injectNull(0.3), Arbitraries.of("ok", "fault").injectNull(0.3),
                Arbitraries.of("mains", "internal_battery", "solar_pv").injectNull(0.3),
                Arbitraries.strings().alpha().ofMaxLength(20).injectNull(0.5)).as((time, system, level, pstatus, source, mode) -> {
                    Map<String, Object> fields = new TreeMap<>();
                    fields.put("system", system);
                    if (level != null) {
                        fields.put("power_level_pct", level);
                    }
                    if (pstatus != null) {
                        fields.put("power_status", pstatus);
                    }
                    if (source != null) {
                        fields.put("power_source", source);
                    }
                    if (mode != null) {
                        fields.put("mode", mode);
                    }
                    return new Reading(DEVICE, "", "device_health", Map.of(), fields, time, RECEIVED_AT);
                });
    }
}
