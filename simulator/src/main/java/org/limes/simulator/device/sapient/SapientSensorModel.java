package org.limes.simulator.device.sapient;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Reading;
import org.limes.drivers.sapient.SapientMessages;
import org.limes.drivers.sapient.Ulids;
import org.limes.simulator.device.radar.RadarPathTrack;

/**
 * A simulated SAPIENT (BSI Flex 335 v2.0) radar: at each report it sends, each framed by its
 * 4-byte little-endian length, a {@code Registration} (so a gateway restarted or reconnected
 * to always knows it), a {@code StatusReport} (system ok, mains power, its position), the
 * detections of its scripted intruder ({@link RadarPathTrack}: range and bearing from the
 * sensor, class person on foot, else vehicle) and, while the intruder is tracked, its own
 * {@code Alert} (active; cleared when the track is lost).
 *
 * <pre>
 *   registration  device_health {registered=true, node_type=radar}
 *   status        device_health {system=ok, power_source=mains, power_level_pct=100, lat_deg, lon_deg}
 *   detection     radar_track tags {track=&lt;n&gt;, class, status=tracking}
 *                 fields {range_m, bearing_deg, detection_confidence 0.9, class_confidence 0.8}
 *   alert         sapient_alert tags {status=active|clear, alert_type=warning, priority=high}
 *                 fields {alert_id (fixed per intrusion), description}
 * </pre>
 *
 * The node id is the one the {@code sapient} driver derives from the device id
 * ({@link #nodeId}), so the gateway's {@code nodes:} names it. Deterministic; immutable and
 * safe from any thread.
 */
public final class SapientSensorModel {

    private final String device;
    private final double latDeg;
    private final double lonDeg;
    private final RadarPathTrack path;
    private final String alertId;
    private final Driver driver = Drivers.load().create("sapient", DriverOptions.empty());

    /**
     * @param device the sensor's device id
     * @param latDeg where it stands
     * @param lonDeg where it stands
     * @param path   its scripted intruder, or null
     * @param starts when the intruder appears (the alert id derives from it)
     */
    public SapientSensorModel(String device, double latDeg, double lonDeg, RadarPathTrack path, Instant starts) {
        this.device = device;
        this.latDeg = latDeg;
        this.lonDeg = lonDeg;
        this.path = path;
        this.alertId = Ulids.of(starts, device + "/intrusion");
    }

    /** The SAPIENT node id of a simulated sensor: the UUID the driver derives from its device id. */
    public static String nodeId(String device) {
        return java.util.UUID.nameUUIDFromBytes(("limes:" + device).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString();
    }

    /** Every message of one report at {@code time}, as readings in sending order. */
    public List<Reading> readings(Instant time) {
        Instant at = time.truncatedTo(ChronoUnit.MILLIS);
        List<Reading> out = new ArrayList<>();
        // A millisecond before the status: the store keys a device_health row by device and time, so the
        // two would otherwise be one row.
        Instant registered = at.minusMillis(1);
        out.add(new Reading(device, "", "device_health", Map.of(), Map.of("registered", true, "node_type", "radar"),
                registered, registered));
        out.add(new Reading(device, "", "device_health", Map.of(), Map.of("system", "ok", "power_source", "mains",
                "power_level_pct", 100L, "lat_deg", latDeg, "lon_deg", lonDeg), at, at));
        if (path == null) {
            return out;
        }
        for (Reading r : path.readings(time)) {
            if (!r.fields().containsKey("range_m")) {
                if ("lost".equals(r.tags().get("status"))) {
                    out.add(alert(at, "clear"));
                }
                continue;
            }
            Map<String, String> tags = new TreeMap<>();
            tags.put("track", r.tags().get("track"));
            tags.put("status", "tracking");
            tags.put("class", r.number("speed_mps") < 3 ? "person" : "vehicle");
            Map<String, Object> fields = new TreeMap<>();
            fields.put("range_m", r.number("range_m"));
            fields.put("bearing_deg", r.number("bearing_deg"));
            fields.put("detection_confidence", 0.9);
            fields.put("class_confidence", 0.8);
            out.add(new Reading(device, "", "radar_track", tags, fields, at, at));
            out.add(alert(at, "active"));
        }
        return out;
    }

    private Reading alert(Instant at, String status) {
        return new Reading(device, "", "sapient_alert", Map.of("status", status, "alert_type", "warning",
                "priority", "high"), Map.of("alert_id", alertId, "description", "intruder on foot near the border line"),
                at, at);
    }

    /** The bytes of one report: each message with its 4-byte little-endian length. */
    public byte[] frame(List<Reading> readings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 * readings.size());
        for (Reading r : readings) {
            out.writeBytes(SapientMessages.frame(driver.encode(r)));
        }
        return out.toByteArray();
    }
}
