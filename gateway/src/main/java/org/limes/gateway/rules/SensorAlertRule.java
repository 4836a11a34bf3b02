package org.limes.gateway.rules;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.limes.drivers.Reading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes a sensor's own alerts through the rule path: a {@code sapient_alert} reading with tag
 * {@code status} {@code active} raises an episode for its sensor alert id (once; repeats keep it
 * open), and one with {@code clear}, {@code reject} or {@code ignore} clears it (reason none);
 * {@code acknowledge} changes nothing. So a sensor's alert reaches both centres, the store's
 * {@code alert} measurement and the live view exactly as a rule's own would, with a stable id.
 *
 * <p>What it reads of a {@code sapient_alert} reading (driver {@code sapient}):
 *
 * <pre>
 *   field alert_id        the sensor's id of the alert, required
 *   tag status            active / acknowledge / clear / reject / ignore
 *   tag alert_type        → severity, unless the rule sets one
 *   tag priority          copied to the alert's tags
 *   field description     copied to the alert's tags (the operator's text)
 *   field lat_deg, lon_deg  copied as tags lat, lon
 * </pre>
 *
 * Worked example: sensor {@code sapient-radar-1} sends alert {@code 01JEB…T7}, status active,
 * type critical → raises {@code <gateway>/<rule>/sapient-radar-1:01JEB…T7/<device ms>}, subject
 * kind {@code sensor_alert}, severity critical; the same alert with status clear clears it.
 *
 * <p>State: the open episodes, in raise order, at most {@code max_open}: a new one beyond that
 * clears the oldest with reason {@code evicted} (counted in
 * {@code limes.dropped{component=rules,reason=sensor_alert_limit}}, logged once a minute).
 * Shard-confined (see {@link Rule}).
 */
public final class SensorAlertRule implements Rule {

    static final String KIND = "sapient_alert";
    static final String SUBJECT_KIND = "sensor_alert";

    private static final Logger LOG = LoggerFactory.getLogger(SensorAlertRule.class);
    private static final long LOG_INTERVAL_MS = 60_000;

    private final SensorAlertRuleConfig config;
    private final DeviceTable devices;
    private final RuleMetrics metrics;
    private final Map<String, Alert> open = new LinkedHashMap<>();
    private long lastEvictionLogMs = Long.MIN_VALUE / 2;

    public SensorAlertRule(SensorAlertRuleConfig config, DeviceTable devices, RuleContext context) {
        this.config = config;
        this.devices = devices;
        this.metrics = context.metrics();
    }

    @Override
    public String id() {
        return config.id();
    }

    @Override
    public RuleConfig config() {
        return config;
    }

    @Override
    public void evaluate(Reading r, int d, long nowMs, List<Alert> out) {
        if (!KIND.equals(r.kind()) || !(r.fields().get("alert_id") instanceof String sensorId)) {
            return;
        }
        String device = devices.id(d);
        String subject = device + ":" + sensorId;
        String status = r.tags().getOrDefault("status", "active");
        Instant now = Instant.ofEpochMilli(nowMs);
        Alert episode = open.get(subject);
        switch (status) {
            case "active" -> {
                if (episode != null) {
                    return;
                }
                if (open.size() >= config.maxOpen()) {
                    evictOldest(nowMs, out);
                }
                Alert a = Alert.builder()
                        .alertId(Alert.episodeId(devices.gateway(), config.id(), subject, r.deviceTime().toEpochMilli()))
                        .rule(config.id()).state(AlertState.RAISED).severity(severity(r.tags().get("alert_type")))
                        .site(devices.site(d)).device(device).subjectKind(SUBJECT_KIND).subject(subject)
                        .kind(KIND).field("status").value(confidence(r)).threshold(1)
                        .firstSeen(now).lastSeen(now).raisedAt(now).at(now).tags(tags(r, sensorId)).build();
                open.put(subject, a);
                out.add(a);
            }
            case "clear", "reject", "ignore" -> {
                if (episode != null) {
                    open.remove(subject);
                    out.add(episode.cleared(0, 1, now, now, null));
                }
            }
            default -> {
                // acknowledge: the sensor's operator saw it; the episode stays open
            }
        }
    }

    @Override
    public void tick(long nowMs, List<Alert> out) {
        // a sensor alert lasts until the sensor clears it
    }

    @Override
    public boolean restore(Alert a) {
        if (!SUBJECT_KIND.equals(a.subjectKind()) || devices.indexOf(a.device()) < 0) {
            return false;
        }
        open.put(a.subject(), a);
        return true;
    }

    /** Open episodes, for tests. */
    int openEpisodes() {
        return open.size();
    }

    private void evictOldest(long nowMs, List<Alert> out) {
        Iterator<Alert> it = open.values().iterator();
        Alert oldest = it.next();
        it.remove();
        Instant now = Instant.ofEpochMilli(nowMs);
        out.add(oldest.cleared(0, 1, now, now, "evicted"));
        metrics.evicted("sensor_alert_limit");
        if (nowMs - lastEvictionLogMs >= LOG_INTERVAL_MS) {
            LOG.warn("sapient_alert rule {} holds max_open {} open sensor alerts: cleared the oldest early with reason "
                    + "evicted (e.g. {}); counted in limes.dropped{component=rules,reason=sensor_alert_limit}, logged "
                    + "once a minute", config.id(), config.maxOpen(), oldest.subject());
            lastEvictionLogMs = nowMs;
        }
    }

    private String severity(String alertType) {
        if (config.severity() != null) {
            return config.severity();
        }
        if (alertType == null) {
            return "warning";
        }
        return switch (alertType) {
            case "critical", "fatal" -> "critical";
            case "warning", "error" -> "warning";
            default -> "info";
        };
    }

    private static double confidence(Reading r) {
        double c = r.number("confidence");
        return Double.isNaN(c) ? 1 : c;
    }

    private static Map<String, String> tags(Reading r, String sensorId) {
        Map<String, String> tags = new TreeMap<>(r.tags());
        tags.remove("status");
        tags.put("sensor_alert_id", sensorId);
        if (r.fields().get("description") instanceof String text) {
            tags.put("description", text);
        }
        double lat = r.number("lat_deg");
        double lon = r.number("lon_deg");
        if (!Double.isNaN(lat) && !Double.isNaN(lon)) {
            tags.put("lat", Double.toString(lat));
            tags.put("lon", Double.toString(lon));
        }
        return tags;
    }
}
