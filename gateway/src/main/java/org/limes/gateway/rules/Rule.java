package org.limes.gateway.rules;

import java.util.List;
import org.limes.drivers.Reading;

/**
 * A rule evaluated on the hot path, once per normalised reading, with per-subject state.
 *
 * <p>Threading: an instance belongs to one pipeline shard and is only ever called from
 * that shard's thread, which owns every subject it sees (shards are chosen by device), so
 * it needs no locks. It does no I/O. It emits alert transitions into {@code out} — one
 * when an episode is raised and one when it clears — never one alert per reading.
 */
public interface Rule {

    String id();

    void evaluate(Reading reading, List<Alert> out);
}
