package org.limes.gateway.rules;

import java.util.Set;
import org.limes.gateway.config.Require;

/**
 * A {@code type: sapient_alert} rule: passes the alerts a SAPIENT sensor raises itself
 * ({@code sapient_alert} readings) on as Limes alerts, one episode per sensor alert id.
 *
 * @param id       stable rule id
 * @param severity info, warning, critical; absent: from the sensor's alert type (critical and
 *                 fatal → critical, warning and error → warning, others → info)
 * @param maxOpen  open sensor alerts kept (default 10,000); beyond it the oldest is cleared
 *                 with reason {@code evicted}
 */
public record SensorAlertRuleConfig(String id, String severity, Integer maxOpen) implements RuleConfig {

    public SensorAlertRuleConfig {
        Require.identifier("id", id);
        severity = severity == null ? null : Require.oneOf("severity", severity, null, Set.of("info", "warning", "critical"));
        maxOpen = (int) Require.range("max_open", maxOpen, 10_000, 1, 1_000_000);
    }
}
