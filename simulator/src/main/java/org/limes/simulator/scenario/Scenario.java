package org.limes.simulator.scenario;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.limes.simulator.DurationConverter;
import org.limes.simulator.transport.TargetConfig;

/**
 * A scenario file ({@code config/scenarios/*.yml}): devices, where their frames go, and
 * the faults to play, on a simulated timeline that may run faster than real time.
 *
 * <pre>
 * key          type                   default     meaning
 * -----------  ---------------------  ----------  ----------------------------------------------
 * name         string                 (required)  shown in progress and summary
 * description  string                 ""          what it rehearses
 * seed         integer                1           same seed, same frames (with a fixed start)
 * site         string                 ras-ajdir   fills {site} in MQTT topics
 * duration     duration               (required)  simulated time, e.g. 24h
 * speed        number 1..1000000      1           simulated seconds per real second
 * start        ISO-8601 instant       see below   simulated time of the first instant
 * targets      map name → target      (required)  see {@link TargetConfig}
 * devices      list of device groups  (required)  see {@link DeviceGroupConfig}
 * faults       list of faults         []          see {@link FaultConfig}
 * </pre>
 *
 * <p>Without {@code start}, a run at {@code speed: 1} starts at the wall clock; a faster
 * run ends at the moment it started, so a compressed day replays the past 24 h and device
 * clocks never run ahead of the gateway's (which would quarantine them).
 *
 * @param name        scenario name
 * @param description what it rehearses
 * @param seed        seed of every model
 * @param site        the crossing
 * @param duration    simulated length, e.g. {@code 24h}
 * @param speed       simulated seconds per real second
 * @param start       simulated start instant, or null for the default
 * @param targets     destinations by name
 * @param devices     device groups
 * @param faults      faults to play
 */
public record Scenario(String name, String description, Long seed, String site, String duration, Double speed,
        String start, Map<String, TargetConfig> targets, List<DeviceGroupConfig> devices, List<FaultConfig> faults) {

    public Scenario {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        description = description == null ? "" : description;
        seed = seed == null ? 1L : seed;
        site = site == null ? "ras-ajdir" : site;
        if (duration == null) {
            throw new IllegalArgumentException("duration is required, e.g. 30m");
        }
        if (durationOf(duration).isZero()) {
            throw new IllegalArgumentException("duration must be above 0");
        }
        speed = speed == null ? 1.0 : speed;
        if (!(speed >= 1 && speed <= 1_000_000)) {
            throw new IllegalArgumentException("speed must be 1..1000000, got " + speed);
        }
        if (start != null) {
            try {
                Instant.parse(start);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("start must be an ISO-8601 instant such as 2026-11-26T00:00:00Z, got '"
                        + start + "'");
            }
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("targets is required: at least one destination");
        }
        targets = new TreeMap<>(targets);
        if (devices == null || devices.isEmpty()) {
            throw new IllegalArgumentException("devices is required: at least one device group");
        }
        devices = List.copyOf(devices);
        faults = faults == null ? List.of() : List.copyOf(faults);
    }

    /** The simulated length. */
    public Duration simulatedDuration() {
        return durationOf(duration);
    }

    /** The real time a run takes. */
    public Duration realDuration() {
        return Duration.ofNanos((long) (simulatedDuration().toNanos() / speed));
    }

    /** The ids of every device of every group, in group order. */
    public Set<String> deviceIds() {
        java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
        devices.forEach(g -> ids.addAll(g.deviceIds()));
        return ids;
    }

    /** This scenario with other targets (the command line's and tests' {@code NAME=URI} overrides) and speed. */
    public Scenario with(Map<String, TargetConfig> newTargets, double newSpeed, String newStart, Long newSeed) {
        return new Scenario(name, description, newSeed == null ? seed : newSeed, site, duration, newSpeed,
                newStart == null ? start : newStart, newTargets, devices, faults);
    }

    static Duration durationOf(String text) {
        return DurationConverter.parse(text);
    }
}
