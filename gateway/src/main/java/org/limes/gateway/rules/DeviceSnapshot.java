package org.limes.gateway.rules;

import java.util.List;
import java.util.Map;

/**
 * Cluster mode: one device's rule state as the instance that owned it leaves it for the next
 * ({@link RuleEngine#snapshot}, {@link RuleEngine#takeOver}) — kept per device in a
 * changelog-backed state store, so another instance goes on where this one stopped: an open
 * episode is neither raised again nor forgotten, a running hold time keeps its start, a deadman
 * counts the silence from the same moment.
 *
 * @param device  the device id
 * @param heardMs when the device was last heard (gateway time, epoch ms) or, when it has not been
 *                heard ({@code heard} false), when its silence started counting
 * @param heard   whether the device was heard since it was first armed
 * @param open    its open episodes, as raised
 * @param rules   per rule id, what that rule carries beyond an open episode ({@link Rule#saveDevice});
 *                only rules that have something
 */
public record DeviceSnapshot(String device, long heardMs, boolean heard, List<Alert> open,
        Map<String, byte[]> rules) {

    public DeviceSnapshot {
        open = List.copyOf(open);
        rules = Map.copyOf(rules);
    }
}
