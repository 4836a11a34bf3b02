package org.limes.gateway.http;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.source.mqtt.MqttIngest;

/**
 * What {@code /health}, {@code /ready} and {@code /api/destinations} answer, computed from
 * the running gateway's MQTT sources, destination queues and group commit.
 *
 * <p>Threading: read on the admin event loop (and by tests on theirs); every method only reads
 * volatile or concurrent state of the components it is given, quickly and without blocking.
 * The source list and the queue map are filled before the admin server starts and not changed
 * afterwards.
 */
public final class GatewayStatus {

    private final List<? extends MqttIngest> sources;
    private final Map<String, DestinationQueue> outboxes;
    private final OutboxCommitter committer;
    private final long readyMaxAgeS;
    private final Clock clock;

    /**
     * @param sources      the MQTT sources (the listeners of TCP, UDP and HTTP are ready once bound)
     * @param outboxes     every destination's queue, in configuration order (the store first)
     * @param committer    the group commit, whose sync failure makes the gateway degraded and not ready
     * @param readyMaxAgeS {@code outbox.ready_max_age_s}: a destination lagging more is not ready
     */
    public GatewayStatus(List<? extends MqttIngest> sources, Map<String, DestinationQueue> outboxes, OutboxCommitter committer,
            long readyMaxAgeS, Clock clock) {
        this.sources = sources;
        this.outboxes = outboxes;
        this.committer = committer;
        this.readyMaxAgeS = readyMaxAgeS;
        this.clock = clock;
    }

    /** Whether every MQTT source is connected and subscribed. */
    public boolean sourcesReady() {
        return sources.stream().allMatch(MqttIngest::ready);
    }

    /** Up when every source is connected and subscribed. */
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean up = true;
        for (MqttIngest s : sources) {
            boolean ready = s.ready();
            up &= ready;
            details.put("source", ready ? "connected" : "connecting");
        }
        Map<String, Object> depths = new LinkedHashMap<>();
        outboxes.forEach((name, o) -> depths.put(name, o.depth()));
        details.put("outbox_depth", depths);
        String syncFailure = committer == null ? null : committer.syncFailure();
        if (syncFailure != null) {
            details.put("outbox_sync", syncFailure);
        }
        return new Health(up, syncFailure != null, details);
    }

    /**
     * Ready when every source is connected, the outboxes can sync to disk, and every
     * destination's oldest undelivered record is younger than {@code outbox.ready_max_age_s};
     * otherwise names what is not.
     */
    public Health ready() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean ready = sourcesReady();
        if (!ready) {
            details.put("sources", "not connected");
        }
        String syncFailure = committer == null ? null : committer.syncFailure();
        if (syncFailure != null) {
            ready = false;
            details.put("outbox_sync", syncFailure + " (since " + Instant.ofEpochMilli(
                    committer.syncFailingSinceMillis()) + "); nothing is acknowledged upstream until it syncs");
        }
        long limitMs = readyMaxAgeS * 1000;
        List<String> lagging = new ArrayList<>();
        for (Map.Entry<String, DestinationQueue> e : outboxes.entrySet()) {
            long age = e.getValue().oldestUnackedAgeMs(clock.millis());
            details.put(e.getKey() + "_oldest_unacked_ms", age);
            if (age > limitMs) {
                lagging.add(e.getKey());
            }
        }
        if (!lagging.isEmpty()) {
            ready = false;
            details.put("lagging", lagging);
            details.put("reason", "oldest undelivered record older than " + readyMaxAgeS
                    + " s at " + String.join(", ", lagging));
        }
        if (syncFailure != null) {
            details.put("reason", syncFailure);
        }
        return new Health(ready, details);
    }

    /** Every destination's queue, in configuration order (the store first). */
    public List<AdminApi.DestinationStatus> destinations() {
        long now = clock.millis();
        List<AdminApi.DestinationStatus> out = new ArrayList<>();
        outboxes.forEach((name, q) -> {
            long ack = q.lastAckMillis();
            out.add(new AdminApi.DestinationStatus(name, q.depth(), q.alerts().depth(), q.bytes(),
                    q.oldestUnackedAgeMs(now), ack < 0 ? null : Instant.ofEpochMilli(ack).toString(),
                    ack < 0 ? null : Math.max(0, now - ack), q.deadLetters().count(), q.deadLetters().lastReason(),
                    q.deadLetters().dir().toString()));
        });
        return out;
    }
}
