package org.limes.simulator.scenario;

import java.nio.file.Path;
import org.limes.gateway.config.ConfigException;
import org.limes.gateway.config.StrictYaml;

/**
 * Reads scenario files through the gateway's {@link StrictYaml} into {@link Scenario} — the
 * same strict reader as the gateway's configuration: snake_case keys, unknown and repeated
 * keys rejected, no scalar coerced into another kind — every error a {@link ScenarioException}
 * naming the file, the path and what was expected. Then checks what spans sections: every
 * group's target exists, every fault's device exists, device ids are unique. Stateless and
 * thread-safe.
 */
public final class ScenarioLoader {

    private final StrictYaml yaml = new StrictYaml();

    /** Reads and checks a scenario file. */
    public Scenario load(Path file) throws ScenarioException {
        try {
            return parse(file.toString(), StrictYaml.readFile(file));
        } catch (ConfigException e) {
            throw new ScenarioException(e.file(), e.path(), e.problem(), e);
        }
    }

    /** Parses and checks scenario text; {@code fileName} names it in errors. */
    public Scenario parse(String fileName, String text) throws ScenarioException {
        Scenario scenario;
        try {
            scenario = yaml.read(fileName, text, Scenario.class);
        } catch (ConfigException e) {
            throw new ScenarioException(e.file(), e.path(), e.problem(), e);
        }
        if (scenario == null) {
            throw new ScenarioException(fileName, "", "is empty", null);
        }
        check(fileName, scenario);
        return scenario;
    }

    private static void check(String file, Scenario s) throws ScenarioException {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < s.devices().size(); i++) {
            DeviceGroupConfig g = s.devices().get(i);
            if (!s.targets().containsKey(g.target())) {
                throw new ScenarioException(file, "devices[" + i + "].target", "must be one of "
                        + s.targets().keySet() + ", got '" + g.target() + "'", null);
            }
            for (String id : g.deviceIds()) {
                if (!ids.add(id)) {
                    throw new ScenarioException(file, "devices[" + i + "].prefix", "makes device id '" + id
                            + "' twice: give each group its own prefix", null);
                }
            }
        }
        for (int i = 0; i < s.faults().size(); i++) {
            FaultConfig f = s.faults().get(i);
            if (!"*".equals(f.device()) && !ids.contains(f.device())) {
                throw new ScenarioException(file, "faults[" + i + "].device", "must be a device of the scenario or \"*\", got '"
                        + f.device() + "'", null);
            }
            if (f.fromOffset().compareTo(s.simulatedDuration()) >= 0) {
                throw new ScenarioException(file, "faults[" + i + "].from", "must be before the end (" + s.duration()
                        + "), got " + f.from(), null);
            }
        }
    }
}
