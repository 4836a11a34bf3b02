package org.limes.gateway.pipeline;

import org.limes.gateway.config.Require;

/**
 * {@code pipeline:} — the sharded hot path.
 *
 * @param shards        pipeline threads; a device's state lives on one (default 2)
 * @param queueCapacity bounded hand-off per shard, in frames (default 4096)
 */
public record PipelineConfig(Integer shards, Integer queueCapacity) {

    public PipelineConfig {
        shards = (int) Require.range("shards", shards, 2, 1, 256);
        queueCapacity = (int) Require.range("queue_capacity", queueCapacity, 4096, 16, 1 << 20);
    }

    public static PipelineConfig defaults() {
        return new PipelineConfig(null, null);
    }
}
