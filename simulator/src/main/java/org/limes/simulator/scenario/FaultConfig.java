package org.limes.simulator.scenario;

import java.time.Duration;
import java.util.Set;

/**
 * One entry of a scenario's {@code faults:}: something that goes wrong with one device (or
 * every device, {@code device: "*"}) from simulated time {@code from} to {@code to}.
 *
 * <pre>
 * kind          what the device does in the window                              extra keys
 * ------------  --------------------------------------------------------------  ----------------
 * silent        sends nothing (a dead counter, a cut cable)                      -
 * surge         counts a queue building (counters only)                          -
 * out_of_range  reports {@code field} as {@code value} (a broken sensor)           field, value
 * stuck         repeats its first reading of the window, with fresh times         -
 * malformed     replaces a share {@code ratio} of its frames with broken bytes    ratio (0..1]
 * clock_skew    stamps readings {@code offset} off the true time (e.g. +10m)      offset
 * offline       holds its frames while the link is down and sends them all at    -
 *               {@code to}, oldest first (the burst after a reconnect)
 * </pre>
 *
 * @param kind   the fault
 * @param device a device id, or {@code *} for every device
 * @param from   simulated start, from the scenario start (default 0s)
 * @param to     simulated end, exclusive (default: the end of the scenario)
 * @param field  the field {@code out_of_range} sets
 * @param value  the value it sets
 * @param ratio  the share of frames {@code malformed} breaks
 * @param offset the clock offset of {@code clock_skew}: {@code +10m}, {@code -90s}
 */
public record FaultConfig(String kind, String device, String from, String to, String field, Double value,
        Double ratio, String offset) {

    /** The fault kinds, a closed set. */
    public static final Set<String> KINDS = Set.of("silent", "surge", "out_of_range", "stuck", "malformed",
            "clock_skew", "offline");

    public FaultConfig {
        if (kind == null || !KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind must be one of " + new java.util.TreeSet<>(KINDS) + ", got "
                    + (kind == null ? "nothing" : "'" + kind + "'"));
        }
        if (device == null || device.isBlank()) {
            throw new IllegalArgumentException("device is required: a device id or \"*\"");
        }
        from = from == null ? "0s" : from;
        Scenario.durationOf(from);
        if (to != null && Scenario.durationOf(to).compareTo(Scenario.durationOf(from)) <= 0) {
            throw new IllegalArgumentException("to (" + to + ") must be after from (" + from + ")");
        }
        if ("out_of_range".equals(kind) && (field == null || field.isBlank() || value == null)) {
            throw new IllegalArgumentException("field and value are required for out_of_range");
        }
        if ("malformed".equals(kind)) {
            ratio = ratio == null ? 1.0 : ratio;
            if (!(ratio > 0 && ratio <= 1)) {
                throw new IllegalArgumentException("ratio must be above 0 and at most 1, got " + ratio);
            }
        }
        if ("clock_skew".equals(kind)) {
            if (offset == null) {
                throw new IllegalArgumentException("offset is required for clock_skew, e.g. +10m or -90s");
            }
            offsetOf(offset);
        }
    }

    /** Whether the fault applies to {@code deviceId}. */
    public boolean appliesTo(String deviceId) {
        return "*".equals(device) || device.equals(deviceId);
    }

    /** The window start from the scenario start. */
    public Duration fromOffset() {
        return Scenario.durationOf(from);
    }

    /** The window end, or {@code end} when the fault lasts to the end. */
    public Duration toOffset(Duration end) {
        return to == null ? end : Scenario.durationOf(to);
    }

    /** The clock offset of a {@code clock_skew}. */
    public Duration clockOffset() {
        return offsetOf(offset);
    }

    private static Duration offsetOf(String text) {
        String t = text.trim();
        if (t.startsWith("-")) {
            return Scenario.durationOf(t.substring(1)).negated();
        }
        return Scenario.durationOf(t.startsWith("+") ? t.substring(1) : t);
    }
}
