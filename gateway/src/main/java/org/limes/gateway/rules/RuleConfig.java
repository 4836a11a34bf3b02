package org.limes.gateway.rules;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** One entry of {@code rules:} (or of the {@code rules_file:}), its kind chosen by {@code type:}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ThresholdRuleConfig.class, name = "threshold"),
    @JsonSubTypes.Type(value = RateOfChangeRuleConfig.class, name = "rate_of_change"),
    @JsonSubTypes.Type(value = DeadmanRuleConfig.class, name = "deadman"),
    @JsonSubTypes.Type(value = TimeIntegrityRuleConfig.class, name = "time_integrity"),
    @JsonSubTypes.Type(value = GeofenceRuleConfig.class, name = "geofence"),
    @JsonSubTypes.Type(value = WatchlistRuleConfig.class, name = "watchlist"),
    @JsonSubTypes.Type(value = SensorAlertRuleConfig.class, name = "sapient_alert")})
public sealed interface RuleConfig
        permits ThresholdRuleConfig, RateOfChangeRuleConfig, DeadmanRuleConfig, TimeIntegrityRuleConfig,
        GeofenceRuleConfig, WatchlistRuleConfig, SensorAlertRuleConfig {

    String id();

    String severity();
}
