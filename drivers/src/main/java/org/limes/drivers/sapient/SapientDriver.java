package org.limes.drivers.sapient;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.limes.drivers.DecodeException;
import org.limes.drivers.DeviceId;
import org.limes.drivers.Driver;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;
import org.limes.drivers.SortedArrayMap;
import org.limes.drivers.radar.asterix.SensorPosition;
import org.limes.drivers.sapient.proto.Alert;
import org.limes.drivers.sapient.proto.DetectionReport;
import org.limes.drivers.sapient.proto.Registration;
import org.limes.drivers.sapient.proto.SapientMessage;
import org.limes.drivers.sapient.proto.StatusReport;

/**
 * The {@code sapient} format: BSI Flex 335 v2.0 (SAPIENT) messages, one serialized
 * {@code SapientMessage} per frame (the 4-byte little-endian length before it is the
 * source's business, {@link Framing#LENGTH_PREFIXED_U32LE}).
 *
 * <pre>
 * SapientMessage            timestamp (1) → device time; node_id (2, a UUID) → device id unless
 *                           the option device names it; one content:
 *   registration (4)        → device_health {registered=true, node_type}
 *   status_report (6)       → device_health {system, ok, mode, power_*, lat_deg/lon_deg/alt_m}
 *   detection_report (7)    → radar_track, tag track = object_id, class, status;
 *                             range_m, bearing_deg (or lat_deg/lon_deg), confidences, behaviour
 *   alert (10)              → sapient_alert {alert_id, description, …}, tags status, alert_type, priority
 *   registration_ack (5), alert_ack (11)   → nothing (a fusion node's answers, not observations)
 *   task (8), task_ack (9), error (12)     → DecodeException: not supported
 * </pre>
 *
 * <p>Worked example (golden case {@code detection-range-bearing-km-radians}): a detection of
 * object {@code 01JEB8V5Q3K9G2M4N6P8R0S2T4} at range 1.2 km, azimuth π/2 rad
 * ({@code RADIANS_KM}), true north, classified {@code Human} 0.9 → {@code radar_track}, tags
 * {@code track=01JEB8…, class=person, status=tracking}, fields {@code range_m=1200.0,
 * bearing_deg=90.0, class_confidence=0.9…} and, with {@code sensor_lat}/{@code sensor_lon},
 * {@code lat_deg}/{@code lon_deg} 1.2 km east of the sensor.
 *
 * <p>Decoding is all or nothing per message; a {@link DecodeException} names the byte where
 * protobuf stopped or the field at fault ({@code field detection_report.range_bearing.datum:
 * is required: …}). Immutable and thread-safe.
 */
public final class SapientDriver implements Driver {

    public static final String NAME = "sapient";

    static final String TRACK_KIND = "radar_track";
    static final String HEALTH_KIND = "device_health";
    static final String ALERT_KIND = "sapient_alert";

    private static final int MAX_LABEL = 64;

    private final String device;
    private final String nodeId;
    private final Positions positions;

    /**
     * @param device the device id of every reading, or null: the node id names the device
     * @param nodeId the only node this driver accepts messages from (lower case), or null: any
     * @param sensor where the sensor stands, for range/bearing → lat/lon, or null
     */
    SapientDriver(String device, String nodeId, SensorPosition sensor) {
        this.device = device;
        this.nodeId = nodeId;
        this.positions = new Positions(sensor);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Framing framing() {
        return Framing.LENGTH_PREFIXED_U32LE;
    }

    @Override
    public List<Reading> decode(Frame frame) throws DecodeException {
        SapientMessage m = SapientMessages.parse(frame.payload());
        String node = SapientMessages.nodeId(m);
        if (nodeId != null && !nodeId.equals(node)) {
            throw DecodeException.atField("node_id", "is not node " + nodeId + ", the one this driver reads");
        }
        String id = device != null ? device : node;
        Instant time = SapientMessages.instant(m.getTimestamp(), "timestamp");
        Instant received = frame.receivedAt();
        return switch (m.getContentCase()) {
            case REGISTRATION -> List.of(registration(m.getRegistration(), id, time, received));
            case STATUS_REPORT -> List.of(status(m.getStatusReport(), id, time, received));
            case DETECTION_REPORT -> List.of(detection(m.getDetectionReport(), id, time, received));
            case ALERT -> List.of(alert(m.getAlert(), id, time, received));
            case REGISTRATION_ACK, ALERT_ACK, CONTENT_NOT_SET -> List.of();
        };
    }

    private static Reading registration(Registration r, String id, Instant time, Instant received)
            throws DecodeException {
        SortedArrayMap.Builder<Object> fields = SortedArrayMap.builder(2);
        fields.put("registered", Boolean.TRUE);
        Registration.NodeType type = r.getNodeDefinitionCount() == 0 ? Registration.NodeType.NODE_TYPE_UNSPECIFIED
                : r.getNodeDefinition(0).getNodeType();
        if (type == Registration.NodeType.UNRECOGNIZED) {
            throw DecodeException.atField("registration.node_definition[0].node_type", "value "
                    + r.getNodeDefinition(0).getNodeTypeValue() + " is not a v2.0 node type (0..20)");
        }
        fields.put("node_type", enumName(type.name(), "NODE_TYPE_"));
        return new Reading(id, "", HEALTH_KIND, Map.of(), fields.build(), time, received);
    }

    private static Reading status(StatusReport s, String id, Instant time, Instant received) throws DecodeException {
        SortedArrayMap.Builder<Object> fields = SortedArrayMap.builder(9);
        StatusReport.System system = s.getSystem();
        if (system == StatusReport.System.SYSTEM_UNSPECIFIED || system == StatusReport.System.UNRECOGNIZED) {
            throw DecodeException.atField("status_report.system", "is required: ok, warning, error or goodbye "
                    + "(got value " + s.getSystemValue() + ")");
        }
        fields.put("system", enumName(system.name(), "SYSTEM_"));
        fields.put("ok", system != StatusReport.System.SYSTEM_ERROR);
        if (s.hasMode()) {
            fields.put("mode", s.getMode());
        }
        if (s.hasPower()) {
            StatusReport.Power p = s.getPower();
            if (p.hasLevel()) {
                if (p.getLevel() < 0 || p.getLevel() > 100) {
                    throw DecodeException.atField("status_report.power.level", "must be 0..100 percent, got "
                            + p.getLevel());
                }
                fields.put("power_level_pct", (long) p.getLevel());
            }
            if (p.getStatus() != StatusReport.PowerStatus.POWERSTATUS_UNSPECIFIED
                    && p.getStatus() != StatusReport.PowerStatus.UNRECOGNIZED) {
                fields.put("power_status", enumName(p.getStatus().name(), "POWERSTATUS_"));
            }
            if (p.getSource() != StatusReport.PowerSource.POWERSOURCE_UNSPECIFIED
                    && p.getSource() != StatusReport.PowerSource.UNRECOGNIZED) {
                fields.put("power_source", enumName(p.getSource().name(), "POWERSOURCE_"));
            }
        }
        if (s.hasNodeLocation()) {
            Positions.location(s.getNodeLocation(), "status_report.node_location", fields);
        }
        return new Reading(id, "", HEALTH_KIND, Map.of(), fields.build(), time, received);
    }

    private Reading detection(DetectionReport d, String id, Instant time, Instant received) throws DecodeException {
        if (!d.hasObjectId() || !DeviceId.isWellFormed(d.getObjectId())) {
            throw DecodeException.atField("detection_report.object_id", "is required: 1..64 characters of "
                    + "[A-Za-z0-9._:-] (a ULID)");
        }
        SortedArrayMap.Builder<String> tags = SortedArrayMap.builder(3);
        SortedArrayMap.Builder<Object> fields = SortedArrayMap.builder(12);
        tags.put("track", d.getObjectId());
        tags.put("status", trackStatus(d));
        switch (d.getLocationOneofCase()) {
            case RANGE_BEARING -> positions.rangeBearing(d.getRangeBearing(), "detection_report.range_bearing", fields);
            case LOCATION -> Positions.location(d.getLocation(), "detection_report.location", fields);
            case LOCATIONONEOF_NOT_SET -> throw DecodeException.atField("detection_report.location",
                    "is required: range_bearing or location");
        }
        if (d.hasDetectionConfidence()) {
            fields.put("detection_confidence", confidence(d.getDetectionConfidence(), "detection_report.detection_confidence"));
        }
        int best = -1;
        for (int i = 0; i < d.getClassificationCount(); i++) {
            if (best < 0 || d.getClassification(i).getConfidence() > d.getClassification(best).getConfidence()) {
                best = i;
            }
        }
        if (best >= 0) {
            DetectionReport.DetectionReportClassification c = d.getClassification(best);
            String where = "detection_report.classification[" + best + "]";
            String type = label(c.getType(), where + ".type");
            tags.put("class", "human".equals(type) ? "person" : type);
            if (c.hasConfidence()) {
                fields.put("class_confidence", confidence(c.getConfidence(), where + ".confidence"));
            }
        }
        best = -1;
        for (int i = 0; i < d.getBehaviourCount(); i++) {
            if (best < 0 || d.getBehaviour(i).getConfidence() > d.getBehaviour(best).getConfidence()) {
                best = i;
            }
        }
        if (best >= 0) {
            DetectionReport.Behaviour b = d.getBehaviour(best);
            String where = "detection_report.behaviour[" + best + "]";
            fields.put("behaviour", label(b.getType(), where + ".type"));
            if (b.hasConfidence()) {
                fields.put("behaviour_confidence", confidence(b.getConfidence(), where + ".confidence"));
            }
        }
        return new Reading(id, "", TRACK_KIND, tags.build(), fields.build(), time, received);
    }

    private Reading alert(Alert a, String id, Instant time, Instant received) throws DecodeException {
        if (!a.hasAlertId() || !DeviceId.isWellFormed(a.getAlertId())) {
            throw DecodeException.atField("alert.alert_id", "is required: 1..64 characters of [A-Za-z0-9._:-] (a ULID)");
        }
        SortedArrayMap.Builder<String> tags = SortedArrayMap.builder(3);
        SortedArrayMap.Builder<Object> fields = SortedArrayMap.builder(10);
        fields.put("alert_id", a.getAlertId());
        Alert.AlertStatus status = a.getStatus();
        if (status == Alert.AlertStatus.UNRECOGNIZED) {
            throw DecodeException.atField("alert.status", "value " + a.getStatusValue() + " is not a v2.0 status (0..5)");
        }
        tags.put("status", status == Alert.AlertStatus.ALERT_STATUS_UNSPECIFIED ? "active"
                : enumName(status.name(), "ALERT_STATUS_"));
        if (a.getAlertType() == Alert.AlertType.UNRECOGNIZED) {
            throw DecodeException.atField("alert.alert_type", "value " + a.getAlertTypeValue() + " is not a v2.0 type (0..6)");
        }
        if (a.getAlertType() != Alert.AlertType.ALERT_TYPE_UNSPECIFIED) {
            tags.put("alert_type", enumName(a.getAlertType().name(), "ALERT_TYPE_"));
        }
        if (a.getPriority() == Alert.DiscretePriority.UNRECOGNIZED) {
            throw DecodeException.atField("alert.priority", "value " + a.getPriorityValue() + " is not a v2.0 priority (0..3)");
        }
        if (a.getPriority() != Alert.DiscretePriority.DISCRETE_PRIORITY_UNSPECIFIED) {
            tags.put("priority", enumName(a.getPriority().name(), "DISCRETE_PRIORITY_"));
        }
        if (a.hasDescription()) {
            fields.put("description", a.getDescription());
        }
        if (a.hasConfidence()) {
            fields.put("confidence", confidence(a.getConfidence(), "alert.confidence"));
        }
        if (a.hasRanking()) {
            fields.put("ranking", confidence(a.getRanking(), "alert.ranking"));
        }
        switch (a.getLocationOneofCase()) {
            case RANGE_BEARING -> positions.rangeBearing(a.getRangeBearing(), "alert.range_bearing", fields);
            case LOCATION -> Positions.location(a.getLocation(), "alert.location", fields);
            case LOCATIONONEOF_NOT_SET -> { }
        }
        return new Reading(id, "", ALERT_KIND, tags.build(), fields.build(), time, received);
    }

    /** The object's state as the geofence rule reads it: lost / ended end a track. */
    private static String trackStatus(DetectionReport d) {
        if (!d.hasState()) {
            return "tracking";
        }
        String s = d.getState().trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "lost" -> "lost";
            case "ended", "deleted", "dropped", "removed" -> "ended";
            default -> "tracking";
        };
    }

    private static double confidence(float value, String field) throws DecodeException {
        if (!(value >= 0 && value <= 1)) {
            throw DecodeException.atField(field, "must be 0..1, got " + value);
        }
        return value;
    }

    /** A class or behaviour name as a low-cardinality label: lower case, spaces as '_'. */
    private static String label(String value, String field) throws DecodeException {
        String s = value.trim().toLowerCase(Locale.ROOT).replace(' ', '_');
        if (s.isEmpty() || s.length() > MAX_LABEL || !s.chars().allMatch(c -> (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.')) {
            throw DecodeException.atField(field, "must be 1.." + MAX_LABEL + " letters, digits, spaces or . _ -");
        }
        return s;
    }

    private static String enumName(String name, String prefix) {
        return name.substring(prefix.length()).toLowerCase(Locale.ROOT);
    }

    /**
     * Encodes one reading this driver decodes as the SapientMessage it came from (without the
     * stream's length): {@code radar_track} as a detection report, {@code device_health} with
     * {@code registered} as a registration and with {@code system} as a status report,
     * {@code sapient_alert} as an alert. Positions are written as range/bearing in degrees and
     * metres when the reading has {@code range_m}, else as a location in degrees; derived
     * fields ({@code ok}, lat/lon from a range) are not written. The node id is the option
     * {@code node_id}, else the device id when it is a UUID, else a UUID derived from it.
     *
     * @throws IllegalArgumentException naming what the reading lacks
     */
    @Override
    public byte[] encode(Reading r) {
        SapientMessage.Builder m = SapientMessage.newBuilder()
                .setTimestamp(SapientMessages.timestamp(r.deviceTime()))
                .setNodeId(nodeFor(r.deviceId()));
        Map<String, Object> f = r.fields();
        switch (r.kind()) {
            case TRACK_KIND -> m.setDetectionReport(encodeDetection(r));
            case ALERT_KIND -> m.setAlert(encodeAlert(r));
            case HEALTH_KIND -> {
                if (f.containsKey("registered")) {
                    Registration.Builder reg = Registration.newBuilder().setIcdVersion("BSI Flex 335 v2.0");
                    Object type = f.get("node_type");
                    if (type != null && !"unspecified".equals(type)) {
                        reg.addNodeDefinition(Registration.NodeDefinition.newBuilder().setNodeType(
                                Registration.NodeType.valueOf("NODE_TYPE_" + type.toString().toUpperCase(Locale.ROOT))));
                    }
                    m.setRegistration(reg);
                } else if (f.containsKey("system")) {
                    m.setStatusReport(encodeStatus(r));
                } else {
                    throw new IllegalArgumentException("a device_health reading needs field registered or system");
                }
            }
            default -> throw new IllegalArgumentException("sapient encodes radar_track, device_health and "
                    + "sapient_alert, got " + r.kind());
        }
        return m.build().toByteArray();
    }

    private String nodeFor(String deviceId) {
        if (nodeId != null) {
            return nodeId;
        }
        if (SapientMessages.isUuid(deviceId)) {
            return deviceId.toLowerCase(Locale.ROOT);
        }
        return UUID.nameUUIDFromBytes(("limes:" + deviceId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static DetectionReport encodeDetection(Reading r) {
        String track = r.tags().get("track");
        if (track == null) {
            throw new IllegalArgumentException("a radar_track reading needs tag track (the object id)");
        }
        Map<String, Object> f = r.fields();
        DetectionReport.Builder d = DetectionReport.newBuilder()
                .setReportId(Ulids.of(r.deviceTime(), r.deviceId() + "/" + track))
                .setObjectId(track);
        String status = r.tags().getOrDefault("status", "tracking");
        if (!"tracking".equals(status)) {
            d.setState(status);
        }
        if (Positions.hasRangeBearing(f)) {
            d.setRangeBearing(Positions.toRangeBearing(f));
        } else if (Positions.hasLocation(f)) {
            d.setLocation(Positions.toLocation(f));
        } else {
            throw new IllegalArgumentException("a detection needs range_m and bearing_deg, or lat_deg and lon_deg");
        }
        if (f.containsKey("detection_confidence")) {
            d.setDetectionConfidence((float) Positions.number(f, "detection_confidence"));
        }
        String cls = r.tags().get("class");
        if (cls != null) {
            DetectionReport.DetectionReportClassification.Builder c =
                    DetectionReport.DetectionReportClassification.newBuilder().setType(cls);
            if (f.containsKey("class_confidence")) {
                c.setConfidence((float) Positions.number(f, "class_confidence"));
            }
            d.addClassification(c);
        }
        Object behaviour = f.get("behaviour");
        if (behaviour != null) {
            DetectionReport.Behaviour.Builder b = DetectionReport.Behaviour.newBuilder().setType(behaviour.toString());
            if (f.containsKey("behaviour_confidence")) {
                b.setConfidence((float) Positions.number(f, "behaviour_confidence"));
            }
            d.addBehaviour(b);
        }
        return d.build();
    }

    private static StatusReport encodeStatus(Reading r) {
        Map<String, Object> f = r.fields();
        StatusReport.Builder s = StatusReport.newBuilder()
                .setReportId(Ulids.of(r.deviceTime(), r.deviceId() + "/status"))
                .setSystem(StatusReport.System.valueOf("SYSTEM_" + f.get("system").toString().toUpperCase(Locale.ROOT)))
                .setInfo(StatusReport.Info.INFO_NEW);
        if (f.containsKey("mode")) {
            s.setMode(f.get("mode").toString());
        }
        if (f.containsKey("power_level_pct") || f.containsKey("power_status") || f.containsKey("power_source")) {
            StatusReport.Power.Builder p = StatusReport.Power.newBuilder();
            if (f.containsKey("power_level_pct")) {
                p.setLevel((int) Positions.number(f, "power_level_pct"));
            }
            if (f.containsKey("power_status")) {
                p.setStatus(StatusReport.PowerStatus.valueOf("POWERSTATUS_"
                        + f.get("power_status").toString().toUpperCase(Locale.ROOT)));
            }
            if (f.containsKey("power_source")) {
                p.setSource(StatusReport.PowerSource.valueOf("POWERSOURCE_"
                        + f.get("power_source").toString().toUpperCase(Locale.ROOT)));
            }
            s.setPower(p);
        }
        if (Positions.hasLocation(f)) {
            s.setNodeLocation(Positions.toLocation(f));
        }
        return s.build();
    }

    private static Alert encodeAlert(Reading r) {
        Map<String, Object> f = r.fields();
        Object alertId = f.get("alert_id");
        if (alertId == null) {
            throw new IllegalArgumentException("a sapient_alert reading needs field alert_id");
        }
        Alert.Builder a = Alert.newBuilder()
                .setAlertId(alertId.toString())
                .setStatus(Alert.AlertStatus.valueOf("ALERT_STATUS_"
                        + r.tags().getOrDefault("status", "active").toUpperCase(Locale.ROOT)));
        String type = r.tags().get("alert_type");
        if (type != null) {
            a.setAlertType(Alert.AlertType.valueOf("ALERT_TYPE_" + type.toUpperCase(Locale.ROOT)));
        }
        String priority = r.tags().get("priority");
        if (priority != null) {
            a.setPriority(Alert.DiscretePriority.valueOf("DISCRETE_PRIORITY_" + priority.toUpperCase(Locale.ROOT)));
        }
        if (f.containsKey("description")) {
            a.setDescription(f.get("description").toString());
        }
        if (f.containsKey("confidence")) {
            a.setConfidence((float) Positions.number(f, "confidence"));
        }
        if (f.containsKey("ranking")) {
            a.setRanking((float) Positions.number(f, "ranking"));
        }
        if (Positions.hasRangeBearing(f)) {
            a.setRangeBearing(Positions.toRangeBearing(f));
        } else if (Positions.hasLocation(f)) {
            a.setLocation(Positions.toLocation(f));
        }
        return a.build();
    }
}
