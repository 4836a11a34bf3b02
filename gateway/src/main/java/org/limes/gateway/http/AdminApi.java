package org.limes.gateway.http;

import java.util.List;
import java.util.function.Supplier;
import org.limes.gateway.live.LiveView;
import org.limes.gateway.picture.PictureStore;
import org.limes.gateway.rules.RulesReload;

/**
 * What the admin server answers from: the gateway's checks, its live view, its destinations
 * and its rule reload. The gateway builds one; tests build one around a real live view.
 *
 * <p>Threading: {@link #health}, {@link #ready}, {@link #destinations} and the live view are
 * read on the admin event loop and must be quick and non-blocking; {@link #reloadRules} may
 * block (it waits for the pipeline shards) and is called on the server's reload thread.
 *
 * @param gateway      the gateway's name, shown on the status page
 * @param health       {@code GET /health}
 * @param ready        {@code GET /ready}
 * @param live         devices, latest values, alerts, ingest rate; null serves 404 on those paths
 * @param destinations queue state of the store and every centre
 * @param reloadRules  {@code POST /api/rules/reload}; null when the gateway cannot reload
 * @param pictures     {@code GET /api/pictures/{picture_ref}[/{name}]}: kept pictures of camera
 *                     reads; null (or a store that drops them) serves 404
 */
public record AdminApi(String gateway, Supplier<Health> health, Supplier<Health> ready, LiveView live,
        Supplier<List<DestinationStatus>> destinations, Supplier<RulesReload> reloadRules, PictureStore pictures) {

    /** Health, readiness and metrics only. */
    public static AdminApi checksOnly(Supplier<Health> health, Supplier<Health> ready) {
        return new AdminApi("limes", health, ready, null, List::of, null, null);
    }

    /**
     * One destination's queue, as {@code /api/destinations} shows it.
     *
     * @param name              {@code store} or a centre's name
     * @param depth             records not yet acknowledged (alerts and readings)
     * @param alertDepth        of which alerts
     * @param bytes             bytes on disk not yet acknowledged
     * @param oldestUnackedAgeMs age of the oldest unacknowledged record, 0 when none
     * @param lastAck           when the destination last acknowledged, ISO-8601; null when not since start
     * @param lastAckAgoMs      milliseconds since then; null when not since start
     * @param deadLettered      records set aside since start as undeliverable (see the dead-letter files)
     * @param lastDeadLetterReason why the last of them was set aside; null when none
     * @param deadLetterDir     where this destination's dead-letter files are
     */
    public record DestinationStatus(String name, long depth, long alertDepth, long bytes, long oldestUnackedAgeMs,
            String lastAck, Long lastAckAgoMs, long deadLettered, String lastDeadLetterReason, String deadLetterDir) {
    }
}
