package org.limes.gateway.rules;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.limes.drivers.lineprotocol.LineProtocolEncoder;

/**
 * An alert transition as a stored point, so dashboards can show alerts beside the series:
 * measurement {@code alert}, tags device, rule, severity, site, state; fields alert_id,
 * value, threshold; timestamp = the transition time. Thread-safe.
 */
public final class AlertLine {

    private AlertLine() {
    }

    public static byte[] encode(Alert a) {
        Map<String, String> tags = new TreeMap<>();
        tags.put("device", a.device());
        tags.put("rule", a.rule());
        tags.put("severity", a.severity());
        tags.put("site", a.site());
        tags.put("state", a.state().label());
        Map<String, Object> fields = new TreeMap<>();
        fields.put("alert_id", a.alertId());
        fields.put("value", a.value());
        fields.put("threshold", a.threshold());
        if (a.reason() != null) {
            fields.put("reason", a.reason());
        }
        StringBuilder line = new StringBuilder(160);
        LineProtocolEncoder.appendPoint(line, "alert", tags, fields, a.at());
        return line.toString().getBytes(StandardCharsets.UTF_8);
    }
}
