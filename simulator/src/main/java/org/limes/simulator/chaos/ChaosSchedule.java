package org.limes.simulator.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * The phases a chaos proxy plays in order, parsed from a comma-separated list such as
 * {@code "pass 30s, cut 20s, delay_ms=500 30s, reset, pass"}. Every phase but the last
 * needs a duration (except {@code reset}, which is instantaneous); the last lasts until
 * the proxy stops, unless the schedule {@code repeats}.
 *
 * @param phases  the phases
 * @param repeats whether to start over after the last phase
 */
public record ChaosSchedule(List<ChaosPhase> phases, boolean repeats) {

    public ChaosSchedule {
        phases = List.copyOf(phases);
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("a schedule needs at least one phase");
        }
        for (int i = 0; i < phases.size(); i++) {
            ChaosPhase p = phases.get(i);
            boolean last = i == phases.size() - 1;
            if (p.duration() == null && !"reset".equals(p.mode()) && (!last || repeats)) {
                throw new IllegalArgumentException("phase " + (i + 1) + " (" + p + ") needs a duration: only the last "
                        + "phase of a schedule that does not repeat may last to the end");
            }
        }
    }

    /** Parses a comma-separated list of phases. */
    public static ChaosSchedule parse(String text, boolean repeats) {
        List<ChaosPhase> phases = new ArrayList<>();
        String[] items = text.split(",");
        for (int i = 0; i < items.length; i++) {
            try {
                phases.add(ChaosPhase.parse(items[i]));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("phase " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new ChaosSchedule(phases, repeats);
    }
}
