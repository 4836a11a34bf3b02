package org.limes.gateway.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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

    private final ObjectMapper yaml;
    private final Drivers drivers;

    public ConfigLoader(Drivers drivers) {
        this.drivers = drivers;
        this.yaml = JsonMapper.builder(new YAMLFactory())
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                // The tree feature above does not apply to records: the parser has to reject repeated keys.
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
    }

    public GatewayConfig load(Path file) {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(name, "", "cannot be read: " + e.getMessage(), e);
        }
        return parse(name, text);
    }

    public GatewayConfig parse(String fileName, String text) {
        GatewayConfig config;
        // Read through a parser so an empty document (or only comments) is told apart from a wrong one.
        try (JsonParser parser = yaml.createParser(text)) {
            config = parser.nextToken() == null ? null : yaml.readValue(parser, GatewayConfig.class);
        } catch (JsonMappingException e) {
            // A syntax error inside a section reaches us wrapped, with the section's path.
            throw e.getCause() instanceof JsonParseException p ? notYaml(fileName, p) : translate(fileName, e);
        } catch (JsonProcessingException e) {
            throw notYaml(fileName, e);
        } catch (IOException e) {
            throw new ConfigException(fileName, "", "cannot be read: " + e.getMessage(), e);
        }
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
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(name, "", "cannot be read: " + e.getMessage(), e);
        }
        List<RuleConfig> rules;
        try (JsonParser parser = yaml.createParser(text)) {
            rules = parser.nextToken() == null ? List.of() : yaml.readValue(parser, RULE_LIST);
        } catch (JsonMappingException e) {
            throw e.getCause() instanceof JsonParseException p ? notYaml(name, p) : translate(name, e);
        } catch (JsonProcessingException e) {
            throw notYaml(name, e);
        } catch (IOException e) {
            throw new ConfigException(name, "", "cannot be read: " + e.getMessage(), e);
        }
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

    private static ConfigException notYaml(String file, JsonProcessingException e) {
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
        return new ConfigException(file, "", "is not valid YAML" + where + ": " + e.getOriginalMessage(), e);
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
    }

    /** The input value in Jackson's "Cannot coerce String value ("forty") to …" message. */
    private static final java.util.regex.Pattern COERCED_VALUE = java.util.regex.Pattern.compile(
            "^Cannot coerce \\w+ value \\(\"?(.*?)\"?\\) to");

    private static ConfigException translate(String file, JsonMappingException e) {
        String path = path(e.getPath());
        if (e instanceof UnrecognizedPropertyException u) {
            TreeSet<String> known = new TreeSet<>();
            if (u.getKnownPropertyIds() != null) {
                u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
            }
            return new ConfigException(file, path, "is not a known key; expected one of " + known, e);
        }
        if (e instanceof InvalidTypeIdException t) {
            String owner = path(e.getPath());
            TreeSet<String> types = new TreeSet<>();
            JsonSubTypes subtypes = t.getBaseType() == null ? null
                    : t.getBaseType().getRawClass().getAnnotation(JsonSubTypes.class);
            if (subtypes != null) {
                for (JsonSubTypes.Type s : subtypes.value()) {
                    types.add(s.name());
                }
            }
            return new ConfigException(file, owner.isEmpty() ? "type" : owner + ".type", t.getTypeId() == null
                    ? "is required, one of " + types : "must be one of " + types + ", got '" + t.getTypeId() + "'", e);
        }
        if (e instanceof ValueInstantiationException) {
            Throwable cause = e.getCause();
            while (cause != null && !(cause instanceof IllegalArgumentException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            String message = cause == null ? e.getOriginalMessage() : cause.getMessage();
            int space = message == null ? -1 : message.indexOf(' ');
            if (space > 0) {
                String key = message.substring(0, space);
                return new ConfigException(file, path.isEmpty() ? key : path + "." + key,
                        message.substring(space + 1), e);
            }
            return new ConfigException(file, path, String.valueOf(message), e);
        }
        if (e instanceof InvalidFormatException f) {
            return new ConfigException(file, path, "must be " + describe(f.getTargetType()) + ", got '"
                    + f.getValue() + "'", e);
        }
        if (e instanceof MismatchedInputException m) {
            String target = m.getTargetType() == null ? "a different value" : describe(m.getTargetType());
            // A scalar of the wrong kind: say what was there, not Jackson's coercion internals.
            java.util.regex.Matcher value = COERCED_VALUE.matcher(String.valueOf(m.getOriginalMessage()));
            if (value.find()) {
                return new ConfigException(file, path, "must be " + target + ", got '" + value.group(1) + "'", e);
            }
            return new ConfigException(file, path, "must be " + target, e);
        }
        return new ConfigException(file, path, firstLine(e.getOriginalMessage()), e);
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a " + type.getSimpleName().replace("Config", "").toLowerCase() + " section";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid value";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            } else if (r.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            }
        }
        return sb.toString();
    }
}
