package org.limes.gateway.rules;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.limes.drivers.Reading;

/**
 * Raises when a field of a device's readings rises above a level and clears when it falls
 * below a lower one (hysteresis), so a value hovering around one level does not flap.
 *
 * <p>State: one open episode per device, in a map bounded by {@code maxSubjects}; when it
 * is full a new device's episode is not tracked and the refusal is counted by the caller
 * through {@link #refusedSubjects()}. Shard-confined (see {@link Rule}).
 */
public final class ThresholdRule implements Rule {

    private final ThresholdRuleConfig config;
    private final int maxSubjects;
    private final Map<String, Alert> open = new HashMap<>();
    private long refused;

    public ThresholdRule(ThresholdRuleConfig config, int maxSubjects) {
        this.config = config;
        this.maxSubjects = maxSubjects;
    }

    @Override
    public String id() {
        return config.id();
    }

    @Override
    public void evaluate(Reading r, List<Alert> out) {
        if (!config.kind().equals(r.kind())) {
            return;
        }
        double v = r.number(config.field());
        if (Double.isNaN(v)) {
            return;
        }
        Alert episode = open.get(r.deviceId());
        if (episode == null) {
            if (v > config.raiseAbove()) {
                if (open.size() >= maxSubjects) {
                    refused++;
                    return;
                }
                String alertId = config.id() + "/" + r.deviceId() + "/" + r.deviceTime().toEpochMilli();
                Alert raised = new Alert(alertId, config.id(), AlertState.RAISED, config.severity(), r.site(),
                        r.deviceId(), r.kind(), config.field(), v, config.raiseAbove(), r.deviceTime(),
                        r.deviceTime(), r.tags());
                open.put(r.deviceId(), raised);
                out.add(raised);
            }
        } else if (v < config.clearBelow()) {
            open.remove(r.deviceId());
            out.add(new Alert(episode.alertId(), config.id(), AlertState.CLEARED, config.severity(), r.site(),
                    r.deviceId(), r.kind(), config.field(), v, config.clearBelow(), episode.raisedAt(),
                    r.deviceTime(), r.tags()));
        }
    }

    /** Devices whose episode could not be tracked because the state map was full. */
    public long refusedSubjects() {
        return refused;
    }

    /** Open episodes, for the live view and tests. */
    public int openEpisodes() {
        return open.size();
    }
}
