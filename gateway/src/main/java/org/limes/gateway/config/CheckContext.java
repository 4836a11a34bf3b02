package org.limes.gateway.config;

import org.limes.drivers.Drivers;
import org.limes.gateway.pipeline.InventoryConfig;

/**
 * What a configuration record needs to see to check itself against the rest of the file,
 * beyond what its compact constructor can: the drivers on the class path, the inventory,
 * the broker defaults of {@code mqtt:}, and where in which file it was written, so its
 * errors read as the loader's always have: {@code demo.yml: sources[1].port must be
 * 1..65535, got 70000}.
 *
 * <p>A record's {@code check(CheckContext)} names its own keys ({@code ctx.fail("tls", …)});
 * the loader gives it a context already at the record's path ({@code ctx.at("sources[1]")}).
 * Immutable; made and used on the thread that loads the configuration.
 *
 * @param file      the file the record is written in, first in every message
 * @param path      the record's path in it, e.g. {@code sources[1]}; empty at the top
 * @param drivers   the drivers sources may name
 * @param inventory the devices of the crossing (already checked itself)
 * @param mqtt      the {@code mqtt:} section, whose broker is every MQTT client's default
 */
public record CheckContext(String file, String path, Drivers drivers, InventoryConfig inventory, MqttConfig mqtt) {

    public CheckContext {
        path = path == null ? "" : path;
    }

    /** A context at the top of {@code file}. */
    public static CheckContext of(String file, Drivers drivers, InventoryConfig inventory, MqttConfig mqtt) {
        return new CheckContext(file, "", drivers, inventory, mqtt);
    }

    /** This context one step down: {@code key} ({@code tls}, {@code topics[0]}) or an index ({@code [2]}). */
    public CheckContext at(String key) {
        return new CheckContext(file, join(path, key), drivers, inventory, mqtt);
    }

    /** An error at {@code key} of this record, e.g. {@code fail("framing", "is required: …")}. */
    public ConfigException fail(String key, String problem) {
        return fail(key, problem, null);
    }

    /** An error at {@code key} of this record, caused by {@code cause}. */
    public ConfigException fail(String key, String problem, Throwable cause) {
        return new ConfigException(file, join(path, key), problem, cause);
    }

    private static String join(String prefix, String key) {
        if (key == null || key.isEmpty()) {
            return prefix;
        }
        if (prefix.isEmpty()) {
            return key;
        }
        return key.startsWith("[") ? prefix + key : prefix + "." + key;
    }
}
