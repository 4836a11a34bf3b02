package org.limes.gateway.source;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;
import org.limes.drivers.DriverOptions;
import org.limes.gateway.config.CheckContext;
import org.limes.gateway.source.http.HttpSourceConfig;
import org.limes.gateway.source.mqtt.MqttSourceConfig;
import org.limes.gateway.source.tcp.SapientSourceConfig;
import org.limes.gateway.source.tcp.TcpSourceConfig;
import org.limes.gateway.source.udp.UdpSourceConfig;

/** One entry of {@code sources:}, its transport chosen by {@code type:}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = MqttSourceConfig.class, name = "mqtt"),
        @JsonSubTypes.Type(value = TcpSourceConfig.class, name = "tcp"),
        @JsonSubTypes.Type(value = UdpSourceConfig.class, name = "udp"),
        @JsonSubTypes.Type(value = HttpSourceConfig.class, name = "http"),
        @JsonSubTypes.Type(value = SapientSourceConfig.class, name = "sapient")})
public interface SourceConfig {

    String name();

    /** Every driver this source hands frames to, with the config path naming it, for the loader's checks. */
    List<DriverUse> driverUses();

    /**
     * Checks this source against what its constructor cannot see (the drivers, the inventory,
     * the broker defaults); by default, {@link #checkDrivers}. A source with more to check
     * overrides it and calls {@link #checkDrivers} first.
     *
     * @param ctx at this source, e.g. {@code sources[1]}
     * @throws org.limes.gateway.config.ConfigException naming the key under the source's path
     */
    default void check(CheckContext ctx) {
        checkDrivers(ctx);
    }

    /** Every driver this source names exists and accepts its options. */
    default void checkDrivers(CheckContext ctx) {
        for (DriverUse use : driverUses()) {
            CheckContext at = ctx.at(use.path());
            if (!ctx.drivers().has(use.driver())) {
                throw at.fail("driver", "must be one of " + ctx.drivers().names() + ", got '" + use.driver() + "'");
            }
            try {
                ctx.drivers().create(use.driver(), DriverOptions.of(use.options()));
            } catch (IllegalArgumentException e) {
                throw at.fail("options", e.getMessage(), e);
            }
        }
    }

    /**
     * A source's {@code devices_by_peer} is given to its driver as the {@code device} option:
     * refused for a driver that reads the device from the payload and takes no such option.
     */
    static void checkDevicesByPeer(CheckContext ctx, Map<String, String> byPeer, String driver,
            Map<String, String> options) {
        if (!byPeer.isEmpty() && !DeviceDrivers.acceptsDevice(ctx.drivers(), driver, options)) {
            throw ctx.fail("devices_by_peer", "cannot be used with driver " + driver
                    + ", which reads the device from the payload and takes no device option");
        }
    }

    /**
     * One driver a source uses.
     *
     * @param path    where it is named, relative to the source, e.g. {@code topics[0]} or {@code ""}
     * @param driver  the driver name
     * @param options its options
     */
    record DriverUse(String path, String driver, Map<String, String> options) {
    }
}
