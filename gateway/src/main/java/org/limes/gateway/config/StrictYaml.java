package org.limes.gateway.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
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
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one strict YAML reader of Limes, for the gateway's configuration and rules files and the
 * simulator's scenario files: YAML through Jackson into records, snake_case keys, and every
 * error a {@link ConfigException} naming the file, the path in it and what was expected, e.g.
 * {@code demo.yml: sources[1].port must be an integer, got 'forty'}.
 *
 * <p>Strict means: unknown keys are rejected (naming the known ones), a key given twice is
 * rejected (records as well as trees), a missing primitive is not read as zero, and no scalar is
 * coerced into another kind — {@code port: "1883"} and {@code count: 2.5} are errors, not 1883
 * and 2.
 *
 * <p>Stateless after construction and thread-safe: the mapper is configured once, here.
 */
public final class StrictYaml {

    /** The input value in Jackson's "Cannot coerce String value ("forty") to …" message. */
    private static final Pattern COERCED_VALUE = Pattern.compile("^Cannot coerce \\w+ value \\(\"?(.*?)\"?\\) to");

    private final ObjectMapper yaml = JsonMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            // The tree feature above does not apply to records: the parser has to reject repeated keys.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    /** The text of a file; a file that cannot be read is a {@link ConfigException} naming it. */
    public static String readFile(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "", "cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads one YAML document into {@code type}.
     *
     * @param fileName names the document in errors
     * @return the value, or null when the document is empty (nothing, or only comments)
     * @throws ConfigException naming the file, the path and what was expected
     */
    public <T> T read(String fileName, String text, Class<T> type) {
        return read(fileName, text, yaml.constructType(type));
    }

    /** As {@link #read(String, String, Class)}, for a generic type such as a list of records. */
    public <T> T read(String fileName, String text, TypeReference<T> type) {
        return read(fileName, text, yaml.constructType(type));
    }

    private <T> T read(String fileName, String text, JavaType type) {
        // Read through a parser so an empty document (or only comments) is told apart from a wrong one.
        try (JsonParser parser = yaml.createParser(text)) {
            return parser.nextToken() == null ? null : yaml.readValue(parser, type);
        } catch (JsonMappingException e) {
            // A syntax error inside a section reaches us wrapped, with the section's path.
            throw e.getCause() instanceof JsonParseException p ? notYaml(fileName, p) : translate(fileName, e);
        } catch (JsonProcessingException e) {
            throw notYaml(fileName, e);
        } catch (IOException e) {
            throw new ConfigException(fileName, "", "cannot be read: " + e.getMessage(), e);
        }
    }

    private static ConfigException notYaml(String file, JsonProcessingException e) {
        String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
        return new ConfigException(file, "", "is not valid YAML" + where + ": " + e.getOriginalMessage(), e);
    }

    /** Jackson's mapping error as the file, the path and what was expected there. */
    static ConfigException translate(String file, JsonMappingException e) {
        String path = path(e.getPath());
        if (e instanceof UnrecognizedPropertyException u) {
            TreeSet<String> known = new TreeSet<>();
            if (u.getKnownPropertyIds() != null) {
                u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
            }
            return new ConfigException(file, path, "is not a known key; expected one of " + known, e);
        }
        if (e instanceof InvalidTypeIdException t) {
            TreeSet<String> types = new TreeSet<>();
            JsonSubTypes subtypes = t.getBaseType() == null ? null
                    : t.getBaseType().getRawClass().getAnnotation(JsonSubTypes.class);
            if (subtypes != null) {
                for (JsonSubTypes.Type s : subtypes.value()) {
                    types.add(s.name());
                }
            }
            return new ConfigException(file, path.isEmpty() ? "type" : path + ".type", t.getTypeId() == null
                    ? "is required, one of " + types : "must be one of " + types + ", got '" + t.getTypeId() + "'", e);
        }
        if (e instanceof ValueInstantiationException) {
            // A record's constructor refused: its message starts with the key, "port must be 1..65535, got 0".
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
            Matcher value = COERCED_VALUE.matcher(String.valueOf(m.getOriginalMessage()));
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
        if (Map.class.isAssignableFrom(type)) {
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

    /** A Jackson path as written in the file's terms: {@code sources[1].tls.cert_file}. */
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
