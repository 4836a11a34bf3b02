package org.limes.gateway.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Framing;
import org.limes.gateway.pipeline.DeviceConfig;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.sink.centre.CentreConfig;
import org.limes.gateway.source.SourceConfig;
import org.limes.gateway.source.DeviceDrivers;
import org.limes.gateway.source.tcp.TcpSourceConfig;
import org.limes.gateway.source.udp.UdpSourceConfig;

/**
 * Reads a gateway configuration from YAML: snake_case keys, unknown keys rejected, every
 * error naming the file, the path and what was expected.
 */
public final class ConfigLoader {

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
        return config;
    }

    private static ConfigException notYaml(String file, JsonProcessingException e) {
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
        return new ConfigException(file, "", "is not valid YAML" + where + ": " + e.getOriginalMessage(), e);
    }

    private void crossCheck(String file, GatewayConfig c) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < c.sources().size(); i++) {
            SourceConfig s = c.sources().get(i);
            if (!names.add(s.name())) {
                throw new ConfigException(file, "sources[" + i + "].name", "must be unique, '" + s.name()
                        + "' is used twice", null);
            }
            String at = "sources[" + i + "]";
            for (SourceConfig.DriverUse use : s.driverUses()) {
                String where = use.path().isEmpty() ? at : at + "." + use.path();
                if (!drivers.has(use.driver())) {
                    throw new ConfigException(file, where + ".driver", "must be one of " + drivers.names() + ", got '"
                            + use.driver() + "'", null);
                }
                try {
                    drivers.create(use.driver(), DriverOptions.of(use.options()));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(file, where + ".options", e.getMessage(), e);
                }
            }
            if (s instanceof TcpSourceConfig t) {
                if (t.framing() == null && drivers.create(t.driver(), DriverOptions.of(t.options())).framing()
                        == Framing.DOCUMENT) {
                    throw new ConfigException(file, at + ".framing", "is required: driver " + t.driver()
                            + " frames whole documents, so say how the stream is cut (newline, length_prefixed, "
                            + "asterix)", null);
                }
                checkPeerDevices(file, at, t.devicesByPeer(), t.driver(), t.options());
            } else if (s instanceof UdpSourceConfig u) {
                checkPeerDevices(file, at, u.devicesByPeer(), u.driver(), u.options());
            }
        }
        for (int i = 0; i < c.sources().size(); i++) {
            if (c.sources().get(i) instanceof TcpSourceConfig t && t.tls() != null && t.tls().mutual()
                    && c.inventory().devices().isEmpty()) {
                throw new ConfigException(file, "sources[" + i + "].tls.client_ca_file", "needs inventory.devices: "
                        + "a device certificate must name an inventory device", null);
            }
        }
        Set<String> devices = new HashSet<>();
        List<DeviceConfig> inventory = c.inventory().devices();
        for (int i = 0; i < inventory.size(); i++) {
            if (!devices.add(inventory.get(i).id())) {
                throw new ConfigException(file, "inventory.devices[" + i + "].id", "must be unique, '"
                        + inventory.get(i).id() + "' is listed twice", null);
            }
        }
        Set<String> rules = new HashSet<>();
        for (int i = 0; i < c.rules().size(); i++) {
            RuleConfig r = c.rules().get(i);
            if (!rules.add(r.id())) {
                throw new ConfigException(file, "rules[" + i + "].id", "must be unique, '" + r.id()
                        + "' is used twice", null);
            }
        }
        Set<String> centres = new HashSet<>();
        for (int i = 0; i < c.centres().size(); i++) {
            CentreConfig centre = c.centres().get(i);
            if (!centres.add(centre.name()) || "store".equals(centre.name())) {
                throw new ConfigException(file, "centres[" + i + "].name", "must be unique and not 'store', got '"
                        + centre.name() + "'", null);
            }
            if (centre.broker() != null && !MqttConfig.EMBEDDED.equals(centre.broker())
                    && !centre.broker().matches("(tcp|ssl|ws|wss)://[^\\s/]+(:\\d+)?/?")) {
                throw new ConfigException(file, "centres[" + i + "].broker",
                        "must be 'embedded' or a URI like tcp://host:1883, got '" + centre.broker() + "'", null);
            }
        }
    }

    private void checkPeerDevices(String file, String at, Map<String, String> byPeer, String driver,
            Map<String, String> options) {
        if (!byPeer.isEmpty() && !DeviceDrivers.acceptsDevice(drivers, driver, options)) {
            throw new ConfigException(file, at + ".devices_by_peer", "cannot be used with driver " + driver
                    + ", which reads the device from the payload and takes no device option", null);
        }
    }

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
            return new ConfigException(file, path, "must be " + target + " (" + firstLine(m.getOriginalMessage())
                    + ")", e);
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
