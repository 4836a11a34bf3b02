package org.limes.gateway.rules;

import java.util.Set;
import org.limes.gateway.config.Require;

/**
 * A {@code type: time_integrity} rule (at most one): judges every reading's device time
 * against the gateway's receive time.
 *
 * <ul>
 *   <li>A reading whose device time is more than {@code max_skew} ahead of the receive
 *       time, or more than {@code max_lag} behind it, is quarantined: counted, logged once
 *       a minute per device, and then either stored with the receive time as its time,
 *       the tag {@code quarantine=clock_skew} and its own time kept in the field
 *       {@code device_time_ms} ({@code quarantine: store}, the default), or dropped
 *       ({@code quarantine: drop}).</li>
 *   <li>A device is in sync while its offset is within {@code max_skew} either way. A
 *       device in sync whose offset moves by more than {@code jump} from one reading to the
 *       next and leaves sync raises a clock-jump alert; it clears once the device is back in
 *       sync.</li>
 * </ul>
 *
 * {@code max_lag} is separate because a reading that is late is not necessarily wrong:
 * the broker holds messages while the gateway is away (up to the session expiry), and
 * they arrive late but correctly timed.
 *
 * @param id         stable rule id
 * @param maxSkew    how far ahead a device's time may be (default 30s)
 * @param maxLag     how far behind (default 24h)
 * @param jump       the offset change that counts as a clock jump (default 5m)
 * @param quarantine {@code store} (default) or {@code drop}
 * @param severity   of the clock-jump alert: info, warning, critical (default warning)
 */
public record TimeIntegrityRuleConfig(String id, String maxSkew, String maxLag, String jump, String quarantine,
        String severity) implements RuleConfig {

    private static final long MAX_MS = 30 * 86_400_000L;

    public TimeIntegrityRuleConfig {
        Require.identifier("id", id);
        Require.duration("max_skew", maxSkew, 30_000, 0, MAX_MS);
        Require.duration("max_lag", maxLag, 86_400_000L, 0, MAX_MS);
        Require.duration("jump", jump, 300_000, 1_000, MAX_MS);
        quarantine = Require.oneOf("quarantine", quarantine, "store", Set.of("store", "drop"));
        severity = Require.oneOf("severity", severity, "warning", Set.of("info", "warning", "critical"));
    }

    public long maxSkewMs() {
        return Require.duration("max_skew", maxSkew, 30_000, 0, MAX_MS);
    }

    public long maxLagMs() {
        return Require.duration("max_lag", maxLag, 86_400_000L, 0, MAX_MS);
    }

    public long jumpMs() {
        return Require.duration("jump", jump, 300_000, 1_000, MAX_MS);
    }

    public boolean drops() {
        return "drop".equals(quarantine);
    }
}
