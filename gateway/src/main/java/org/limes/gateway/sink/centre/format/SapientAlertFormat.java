package org.limes.gateway.sink.centre.format;

import com.google.protobuf.Timestamp;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.limes.drivers.sapient.Ulids;
import org.limes.drivers.sapient.proto.Location;
import org.limes.drivers.sapient.proto.LocationCoordinateSystem;
import org.limes.drivers.sapient.proto.LocationDatum;
import org.limes.drivers.sapient.proto.SapientMessage;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertState;

/**
 * {@code format: sapient}: an alert transition as a SAPIENT (BSI Flex 335 v2.0) {@code Alert}
 * message from this gateway as a fusion node, for a higher fusion node. The serialized
 * {@code SapientMessage}, without the stream's 4-byte length (the sink frames it).
 *
 * <pre>
 * timestamp            the transition's time (gateway time)
 * node_id              the crossing's fusion node id: a UUID derived from its name for its centres
 *                      ({@link #nodeId}, {@link AlertFormat#create}), the same for every instance
 * alert.alert_id       a ULID from the episode's raise time and id: the raise and the clear share it
 * alert.status         raised → ACTIVE, cleared → CLEAR
 * alert.alert_type     severity critical → CRITICAL, warning → WARNING, info → INFORMATION
 * alert.priority       critical → HIGH, warning → MEDIUM, info → LOW
 * alert.description    "rule: subject_kind subject (kind field = value) at site[, zone z]"
 * alert.location       tags lat/lon, when both are numbers: LAT_LNG_DEG_M, x = lon, y = lat
 * alert.confidence     the value, for a sensor alert passed through (0..1)
 * additional_information  the Limes event id (alert id and transition), for deduplication
 * </pre>
 *
 * Deterministic (no clock): a redelivery is the same bytes. Immutable and thread-safe.
 */
public final class SapientAlertFormat implements AlertFormat {

    private final String nodeId;

    public SapientAlertFormat(String gateway) {
        this.nodeId = nodeId(gateway);
    }

    /** The fusion node id of a gateway: stable across restarts, distinct per crossing. */
    public static String nodeId(String gateway) {
        return UUID.nameUUIDFromBytes(("limes:" + gateway).getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Override
    public String name() {
        return "sapient";
    }

    @Override
    public String contentType() {
        return "application/x-protobuf";
    }

    /** Built from the alert alone (and this format's identity): the JSON's {@code gateway} is not read. */
    @Override
    public byte[] encode(Alert a, byte[] json) {
        return encode(a);
    }

    byte[] encode(Alert a) {
        org.limes.drivers.sapient.proto.Alert.Builder alert = org.limes.drivers.sapient.proto.Alert.newBuilder()
                .setAlertId(Ulids.of(a.raisedAt(), a.alertId()))
                .setStatus(a.state() == AlertState.RAISED
                        ? org.limes.drivers.sapient.proto.Alert.AlertStatus.ALERT_STATUS_ACTIVE
                        : org.limes.drivers.sapient.proto.Alert.AlertStatus.ALERT_STATUS_CLEAR)
                .setDescription(description(a));
        String severity = a.severity() == null ? "warning" : a.severity();
        switch (severity) {
            case "critical" -> alert.setAlertType(org.limes.drivers.sapient.proto.Alert.AlertType.ALERT_TYPE_CRITICAL)
                    .setPriority(org.limes.drivers.sapient.proto.Alert.DiscretePriority.DISCRETE_PRIORITY_HIGH);
            case "info" -> alert.setAlertType(org.limes.drivers.sapient.proto.Alert.AlertType.ALERT_TYPE_INFORMATION)
                    .setPriority(org.limes.drivers.sapient.proto.Alert.DiscretePriority.DISCRETE_PRIORITY_LOW);
            default -> alert.setAlertType(org.limes.drivers.sapient.proto.Alert.AlertType.ALERT_TYPE_WARNING)
                    .setPriority(org.limes.drivers.sapient.proto.Alert.DiscretePriority.DISCRETE_PRIORITY_MEDIUM);
        }
        double lat = number(a.tags().get("lat"));
        double lon = number(a.tags().get("lon"));
        if (lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) {
            alert.setLocation(Location.newBuilder().setX(lon).setY(lat)
                    .setCoordinateSystem(LocationCoordinateSystem.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M)
                    .setDatum(LocationDatum.LOCATION_DATUM_WGS84_E));
        }
        if ("sensor_alert".equals(a.subjectKind()) && a.value() >= 0 && a.value() <= 1) {
            alert.setConfidence((float) a.value());
        }
        return SapientMessage.newBuilder()
                .setTimestamp(Timestamp.newBuilder().setSeconds(a.at().getEpochSecond()).setNanos(a.at().getNano()))
                .setNodeId(nodeId)
                .setAlert(alert)
                .setAdditionalInformation(a.eventId())
                .build().toByteArray();
    }

    private static String description(Alert a) {
        StringBuilder b = new StringBuilder(a.rule()).append(": ")
                .append(a.subjectKind() == null ? "device" : a.subjectKind()).append(' ').append(a.subject());
        if (a.kind() != null && a.field() != null) {
            b.append(" (").append(a.kind()).append(' ').append(a.field());
            if (!Double.isNaN(a.value())) {
                b.append(" = ").append(a.value());
            }
            b.append(')');
        }
        if (a.site() != null) {
            b.append(" at ").append(a.site());
        }
        String zone = a.tags().get("zone");
        if (zone != null) {
            b.append(", zone ").append(zone);
        }
        String text = a.tags().get("description");
        if (text != null) {
            b.append(": ").append(text);
        }
        return b.toString();
    }

    private static double number(String s) {
        if (s == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
