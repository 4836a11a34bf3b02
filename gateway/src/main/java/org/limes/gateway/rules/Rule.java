package org.limes.gateway.rules;

import java.util.List;
import org.limes.drivers.Reading;

/**
 * A rule kind: per-subject state that turns readings and the passing of time into alert
 * transitions — one when an episode is raised and one when it clears, never one alert
 * per reading.
 *
 * <p>The engine calls {@link #evaluate} once per normalised reading of a device the
 * shard owns (with the device's {@link DeviceTable} index and the gateway time), and
 * {@link #tick} periodically (about once a second) so that conditions that depend on
 * time alone — a hold time running out, a device falling silent — fire without a
 * reading. Subjects are devices today; rules about tracks, zones or plates keep their
 * own bounded subject state keyed as they need and report it in {@link Alert#subject()}.
 *
 * <p>Threading: an instance belongs to one pipeline shard and is only ever called from
 * that shard's thread, which owns every device it sees, so it needs no locks. It must not
 * do I/O, block, read a clock (time is passed in) or keep unbounded state, and in steady
 * state it should not allocate: transitions are the only allocation.
 */
public interface Rule {

    String id();

    /** The configuration it was built from; a reload keeps an instance whose config is equal. */
    RuleConfig config();

    /** Evaluates one reading of device {@code device} at gateway time {@code nowMs}. */
    void evaluate(Reading reading, int device, long nowMs, List<Alert> out);

    /** Lets time-driven conditions fire at gateway time {@code nowMs}. */
    void tick(long nowMs, List<Alert> out);

    /**
     * Takes over an open episode of this rule (after a restart, or from the previous
     * instance on a reload), so that it is neither raised again nor forgotten: the clear,
     * when it comes, carries its id. False when this rule cannot hold it (the subject is
     * gone); the engine then clears it.
     */
    boolean restore(Alert open);

    /**
     * Cluster mode: what this rule holds about device {@code device} beyond an open episode
     * (a running hold time, its first reading's time), as bytes another instance's
     * {@link #loadDevice} reads back, so that a device taken over mid-hold goes on where it
     * was. Null when there is nothing to carry (the default: such a rule carries only its open
     * episodes, through {@link #restore}). Called on the owning thread, like everything here.
     */
    default byte[] saveDevice(int device) {
        return null;
    }

    /**
     * Cluster mode: takes over what {@link #saveDevice} gave for device {@code device} on
     * another instance, after its open episodes were {@link #restore restored}. Bytes it cannot
     * read are ignored (the device starts afresh): never an exception.
     */
    default void loadDevice(int device, byte[] state) {
    }
}
