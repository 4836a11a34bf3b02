package org.limes.gateway.source;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;
import org.limes.gateway.source.http.HttpSourceConfig;
import org.limes.gateway.source.mqtt.MqttSourceConfig;
import org.limes.gateway.source.tcp.TcpSourceConfig;
import org.limes.gateway.source.udp.UdpSourceConfig;

/** One entry of {@code sources:}, its transport chosen by {@code type:}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = MqttSourceConfig.class, name = "mqtt"),
        @JsonSubTypes.Type(value = TcpSourceConfig.class, name = "tcp"),
        @JsonSubTypes.Type(value = UdpSourceConfig.class, name = "udp"),
        @JsonSubTypes.Type(value = HttpSourceConfig.class, name = "http")})
public interface SourceConfig {

    String name();

    /** Every driver this source hands frames to, with the config path naming it, for the loader's checks. */
    List<DriverUse> driverUses();

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
