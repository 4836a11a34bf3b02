package org.limes.gateway.config;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.limes.drivers.Drivers;
import org.limes.gateway.pipeline.DeviceConfig;
import org.limes.gateway.pipeline.InventoryConfig;
import org.limes.gateway.rules.DeadmanRuleConfig;
import org.limes.gateway.rules.GeofenceRuleConfig;
import org.limes.gateway.rules.GeofenceZonesFile;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.rules.TimeIntegrityRuleConfig;
import org.limes.gateway.rules.Watchlist;
import org.limes.gateway.rules.WatchlistRuleConfig;
import org.limes.gateway.sink.centre.CentreConfig;
import org.limes.gateway.source.SourceConfig;

/**
 * Reads a gateway configuration from YAML: snake_case keys, unknown keys rejected, every
 * error naming the file, the path and what was expected. A {@code rules_file:} is read
 * with it (and again by {@link #loadRules} on a reload), its path taken relative to the
 * configuration file's folder; so are the files its rules name ({@code zones_file},
 * {@code list_file}), from the folder of the file the rule is written in.
 */
public final class ConfigLoader {

    private static final TypeReference<List<RuleConfig>> RULE_LIST = new TypeReference<>() {
    };

    /** The strict reader and error translator, shared with the simulator's scenario files. */
    private final StrictYaml yaml = new StrictYaml();
    private final Drivers drivers;

    public ConfigLoader(Drivers drivers) {
        this.drivers = drivers;
    }

    public GatewayConfig load(Path file) {
        return parse(file.toString(), StrictYaml.readFile(file));
    }

    public GatewayConfig parse(String fileName, String text) {
        GatewayConfig config = yaml.read(fileName, text, GatewayConfig.class);
        if (config == null) {
            throw new ConfigException(fileName, "", "is empty", null);
        }
        crossCheck(fileName, config);
        if (config.rulesFile() != null) {
            if (!config.rules().isEmpty()) {
                throw new ConfigException(fileName, "rules_file", "cannot be combined with rules: keep the rules in "
                        + "one place", null);
            }
            Path parent = Path.of(fileName).toAbsolutePath().getParent();
            Path rulesFile = parent == null ? Path.of(config.rulesFile()) : parent.resolve(config.rulesFile());
            config = config.withRules(loadRules(rulesFile, config.inventory()), rulesFile.toString());
        } else if (!config.rules().isEmpty()) {
            config = config.withRules(readRuleFiles(fileName, "rules", config.rules()), null);
        }
        return config;
    }

    /**
     * Reads and checks a rules file: a YAML list of rules, as under {@code rules:}. Errors
     * name the rules file and the entry, e.g. {@code rules.yml: [2].window is required}.
     */
    public List<RuleConfig> loadRules(Path file, InventoryConfig inventory) {
        String name = file.toString();
        List<RuleConfig> rules = yaml.read(name, StrictYaml.readFile(file), RULE_LIST);
        if (rules == null) {
            rules = List.of();
        }
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i) == null) {
                throw new ConfigException(name, "[" + i + "]", "must be a rule, got an empty entry", null);
            }
        }
        checkRules(name, "", rules, inventory);
        return readRuleFiles(name, "", rules);
    }

    /**
     * Reads the files rules name — a geofence's {@code zones_file}, a watchlist's
     * {@code list_file} — relative to the folder of {@code file}, the file the rules are
     * written in. A file that cannot be read is reported against the rule's key; an error
     * inside one names that file and the place in it.
     */
    private static List<RuleConfig> readRuleFiles(String file, String prefix, List<RuleConfig> rules) {
        Path parent = Path.of(file).toAbsolutePath().getParent();
        List<RuleConfig> read = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            RuleConfig r = rules.get(i);
            String at = prefix + "[" + i + "]";
            if (r instanceof GeofenceRuleConfig g) {
                Path zones = existing(file, at + ".zones_file", parent, g.zonesFile());
                r = g.withZones(zones.toString(), GeofenceZonesFile.read(zones));
            } else if (r instanceof WatchlistRuleConfig w) {
                Path list = existing(file, at + ".list_file", parent, w.listFile());
                r = w.withList(list.toString(), Watchlist.read(list, w.foldConfusables()));
            }
            read.add(r);
        }
        return List.copyOf(read);
    }

    private static Path existing(String file, String at, Path parent, String name) {
        Path p = parent == null ? Path.of(name) : parent.resolve(name);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new ConfigException(file, at, "names " + p + ", which is not a readable file", null);
        }
        return p;
    }

    /**
     * The checks that span rules and the inventory: ids unique, at most one time_integrity
     * rule, and every device a deadman rule watches has an expected interval.
     */
    private static void checkRules(String file, String prefix, List<RuleConfig> rules, InventoryConfig inventory) {
        Set<String> ids = new HashSet<>();
        int timeRules = 0;
        for (int i = 0; i < rules.size(); i++) {
            RuleConfig r = rules.get(i);
            String at = prefix + "[" + i + "]";
            if (!ids.add(r.id())) {
                throw new ConfigException(file, at + ".id", "must be unique, '" + r.id() + "' is used twice", null);
            }
            if (r instanceof TimeIntegrityRuleConfig && ++timeRules > 1) {
                throw new ConfigException(file, at + ".type", "time_integrity may be given once: it decides what "
                        + "happens to a reading with a wrong clock", null);
            }
            if (r instanceof DeadmanRuleConfig d) {
                List<DeviceConfig> devices = inventory.devices();
                for (int k = 0; k < devices.size(); k++) {
                    DeviceConfig device = devices.get(k);
                    if (d.watches(device.deviceClass()) && inventory.expectedIntervalMs(device) == 0) {
                        throw new ConfigException(file, at, "(deadman '" + d.id() + "') watches device '"
                                + device.id() + "', which has no expected interval: set inventory.devices[" + k
                                + "].expected_interval or inventory.classes." + device.deviceClass()
                                + ".expected_interval", null);
                    }
                }
            }
        }
    }

    /**
     * The checks that span sections. Each record checks itself against what it needs to see
     * ({@link CheckContext}: the drivers, the inventory, the broker defaults), given its path;
     * here only the names a list must not repeat.
     */
    private void crossCheck(String file, GatewayConfig c) {
        CheckContext top = CheckContext.of(file, drivers, c.inventory(), c.mqtt());
        c.inventory().check(top.at("inventory"));
        Set<String> names = new HashSet<>();
        for (int i = 0; i < c.sources().size(); i++) {
            SourceConfig s = c.sources().get(i);
            CheckContext at = top.at("sources[" + i + "]");
            if (!names.add(s.name())) {
                throw at.fail("name", "must be unique, '" + s.name() + "' is used twice");
            }
            s.check(at);
        }
        checkRules(file, "rules", c.rules(), c.inventory());
        Set<String> centres = new HashSet<>();
        for (int i = 0; i < c.centres().size(); i++) {
            CentreConfig centre = c.centres().get(i);
            CheckContext at = top.at("centres[" + i + "]");
            if (!centres.add(centre.name()) || "store".equals(centre.name())) {
                throw at.fail("name", "must be unique and not 'store', got '" + centre.name() + "'");
            }
            centre.check(at);
        }
        if (c.cluster() != null) {
            c.cluster().check(top.at("cluster"), c.sources());
        }
    }
}
