package org.limes.gateway.source;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.limes.gateway.source.mqtt.MqttSourceConfig;

/** One entry of {@code sources:}, its transport chosen by {@code type:}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = MqttSourceConfig.class, name = "mqtt")})
public interface SourceConfig {

    String name();
}
