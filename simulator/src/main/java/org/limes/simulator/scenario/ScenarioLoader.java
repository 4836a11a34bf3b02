package org.limes.simulator.scenario;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads scenario files: YAML through Jackson into {@link Scenario}, snake_case keys,
 * unknown keys rejected, every error a {@link ScenarioException} naming the file, the path
 * and what was expected (as the gateway's config loader does). Then checks what spans
 * sections: every group's target exists, every fault's device exists, device ids are
 * unique. Stateless and thread-safe.
 */
public final class ScenarioLoader {

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    /** Reads and checks a scenario file. */
    public Scenario load(Path file) throws ScenarioException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ScenarioException(file.toString(), "", "cannot be read: " + e.getMessage(), e);
        }
        return parse(file.toString(), text);
    }

    /** Parses and checks scenario text; {@code fileName} names it in errors. */
    public Scenario parse(String fileName, String text) throws ScenarioException {
        Scenario scenario;
        try {
            scenario = yaml.readValue(text, Scenario.class);
        } catch (JsonParseException e) {
            throw new ScenarioException(fileName, "", "is not valid YAML: " + firstLine(e.getOriginalMessage()), e);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof JsonParseException p) {
                throw new ScenarioException(fileName, "", "is not valid YAML: " + firstLine(p.getOriginalMessage()), e);
            }
            throw translate(fileName, e);
        } catch (JsonProcessingException e) {
            throw new ScenarioException(fileName, "", firstLine(e.getOriginalMessage()), e);
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

    private static ScenarioException translate(String file, JsonMappingException e) {
        String path = path(e.getPath());
        if (e instanceof UnrecognizedPropertyException u) {
            String where = path.isEmpty() ? "" : path;
            return new ScenarioException(file, where, "unknown key; expected one of "
                    + u.getKnownPropertyIds(), e);
        }
        if (e instanceof ValueInstantiationException v) {
            String message = v.getCause() == null ? v.getOriginalMessage() : v.getCause().getMessage();
            int space = message == null ? -1 : message.indexOf(' ');
            if (space > 0) {
                String key = message.substring(0, space);
                return new ScenarioException(file, path.isEmpty() ? key : path + "." + key,
                        message.substring(space + 1), e);
            }
            return new ScenarioException(file, path, String.valueOf(message), e);
        }
        if (e instanceof InvalidFormatException f) {
            return new ScenarioException(file, path, "must be " + describe(f.getTargetType()) + ", got '"
                    + f.getValue() + "'", e);
        }
        if (e instanceof MismatchedInputException m) {
            String target = m.getTargetType() == null ? "a different value" : describe(m.getTargetType());
            return new ScenarioException(file, path, "must be " + target, e);
        }
        return new ScenarioException(file, path, firstLine(e.getOriginalMessage()), e);
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type)) {
            return "a map";
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

    private static String path(List<JsonMappingException.Reference> refs) {
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
