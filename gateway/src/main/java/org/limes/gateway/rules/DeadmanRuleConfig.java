package org.limes.gateway.rules;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Set;
import org.limes.gateway.config.Require;

/**
 * A {@code type: deadman} rule: raises when an inventory device has been silent for longer
 * than its expected reporting interval ({@code inventory.devices[].expected_interval}, else
 * {@code inventory.classes.<class>.expected_interval}) — also a device never heard from
 * since start-up — and clears when it reports again.
 *
 * @param id          stable rule id
 * @param deviceClass {@code class:} only devices of this class (default: every device); each
 *                    watched device must have an expected interval
 * @param severity    info, warning, critical (default warning)
 */
public record DeadmanRuleConfig(String id, @JsonProperty("class") String deviceClass, String severity)
        implements RuleConfig {

    public DeadmanRuleConfig {
        Require.identifier("id", id);
        if (deviceClass != null) {
            Require.nonBlank("class", deviceClass);
        }
        severity = Require.oneOf("severity", severity, "warning", Set.of("info", "warning", "critical"));
    }

    /** True when it watches devices of {@code cls}. */
    public boolean watches(String cls) {
        return deviceClass == null || deviceClass.equals(cls);
    }
}
