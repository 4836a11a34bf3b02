package org.limes.gateway.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.limes.drivers.Reading;
import org.limes.drivers.lineprotocol.LineProtocolEncoder;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.AlertLine;

/**
 * The last step of the hot path: what leaves the gateway goes through here. Each destination
 * receives what its {@link Routing} admits, with plates pseudonymised when it asks for that,
 * encoded as it takes it (line protocol for the store, canonical JSON for the centres), and
 * appended to its outbox.
 *
 * <p>Every alert the gateway raises passes here: the rules' transitions from the shards, and
 * the outboxes' own overflow and set-aside notices ({@link DeliveryAlerts}), so one routing
 * is honoured for all of them.
 *
 * <p>Thread-safe and without state of its own: it is called by every shard thread and by the
 * overflow thread at once; the outboxes take concurrent appends. An append may wait while an
 * outbox's write buffer is full (backpressure reaches the shard, then the source).
 */
final class FanOut {

    private final String gateway;
    private final Destination store;
    private final List<Destination> centres;

    /**
     * @param gateway this gateway's name, carried by each alert sent to a centre
     * @param store   the store, which receives readings and alerts
     * @param centres the centres, which receive alerts
     */
    FanOut(String gateway, Destination store, List<Destination> centres) {
        this.gateway = gateway;
        this.store = store;
        this.centres = List.copyOf(centres);
    }

    /**
     * Appends a reading that passed the rules to the store, when its routing admits it.
     *
     * @param line the calling shard's scratch buffer (one per thread, so the hot path allocates no builder)
     */
    void reading(Reading stored, StringBuilder line) throws InterruptedException {
        if (store.routing().accepts(stored)) {
            line.setLength(0);
            LineProtocolEncoder.appendReading(line, store.plates() == null ? stored : store.plates().apply(stored));
            store.queue().append(OutboxRecord.READING, bytes(line));
        }
    }

    /** The line's UTF-8 bytes, copied once straight from the builder when it is ASCII (as lines nearly always are). */
    static byte[] bytes(StringBuilder line) {
        int n = line.length();
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i);
            if (c >= 0x80) {
                return line.toString().getBytes(StandardCharsets.UTF_8);
            }
            out[i] = (byte) c;
        }
        return out;
    }

    /** Appends an alert transition to the store and to each centre whose routing admits it. */
    void alert(Alert a) throws InterruptedException {
        alert(a, null);
    }

    /**
     * As {@link #alert(Alert)}, except to the destination named {@code except} (null: none),
     * which must not receive it.
     */
    void alert(Alert a, String except) throws InterruptedException {
        if (!is(store, except) && store.routing().accepts(a)) {
            store.queue().append(OutboxRecord.ALERT,
                    AlertLine.encode(store.plates() == null ? a : store.plates().apply(a)));
        }
        byte[] json = null;
        for (Destination centre : centres) {
            if (!is(centre, except) && centre.routing().accepts(a)) {
                byte[] out;
                if (centre.plates() != null) {
                    out = AlertJson.encode(centre.plates().apply(a), gateway);
                } else {
                    out = json == null ? json = AlertJson.encode(a, gateway) : json;
                }
                centre.queue().append(OutboxRecord.ALERT, out);
            }
        }
    }

    /** True when {@code destination} names the store. */
    boolean isStore(String destination) {
        return is(store, destination);
    }

    private static boolean is(Destination d, String name) {
        return name != null && name.equals(d.queue().destination());
    }
}
