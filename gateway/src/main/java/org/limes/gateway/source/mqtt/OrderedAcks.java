package org.limes.gateway.source.mqtt;

import java.util.ArrayDeque;
import java.util.function.IntConsumer;

/**
 * Sends MQTT acknowledgements in the order the messages arrived (MQTT 5.0 §4.6: PUBACKs
 * in the order of the PUBLISH packets), although pipeline shards finish frames in any
 * order. {@link #arrived} is called on the client's callback thread; {@link #ready} from
 * any thread once a frame is durable; the acknowledgement of a message is released as
 * soon as it and every message before it are ready.
 *
 * <p>Bounded: at most the receive maximum the source announces are unacknowledged at once,
 * because the broker sends no more.
 */
final class OrderedAcks {

    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private final IntConsumer send;

    OrderedAcks(IntConsumer send) {
        this.send = send;
    }

    /** Registers a message in arrival order; returns the handle to mark it ready. */
    synchronized Slot arrived(int messageId) {
        Slot s = new Slot(messageId);
        slots.addLast(s);
        return s;
    }

    /** Marks a message ready and sends every acknowledgement now releasable. */
    void ready(Slot slot) {
        synchronized (this) {
            slot.ready = true;
            while (!slots.isEmpty() && slots.peekFirst().ready) {
                send.accept(slots.pollFirst().messageId);
            }
        }
    }

    /** Forgets unacknowledged messages (the session is gone; the broker will redeliver). */
    synchronized void reset() {
        slots.clear();
    }

    synchronized int pending() {
        return slots.size();
    }

    static final class Slot {
        final int messageId;
        boolean ready;

        Slot(int messageId) {
            this.messageId = messageId;
        }
    }
}
