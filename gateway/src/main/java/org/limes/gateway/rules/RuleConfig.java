package org.limes.gateway.rules;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** One entry of {@code rules:}, its kind chosen by {@code type:}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = ThresholdRuleConfig.class, name = "threshold")})
public sealed interface RuleConfig permits ThresholdRuleConfig {

    String id();
}
