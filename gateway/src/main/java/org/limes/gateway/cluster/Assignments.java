package org.limes.gateway.cluster;

import java.util.Set;
import java.util.TreeSet;

/**
 * The partitions whose processors run on this instance now, of both input topics, and what their
 * processors took over since the last rebalance settled. The rules log one line per settled
 * rebalance from it ({@link #settled()}), not one per partition: a rebalance during a broker
 * outage can move every task, and an instance owns up to {@code frames_partitions} of each topic.
 * Bounded: a partition number is in a set at most once, and there are at most as many as the
 * topics have partitions. Thread-safe (tasks start and close on every stream thread).
 */
final class Assignments {

    private final Set<Integer> frames = new TreeSet<>();
    private final Set<Integer> passages = new TreeSet<>();
    private int devicesTaken;
    private int passagesTaken;
    private int started;
    private int closed;

    /** A frames partition's rules start here, with the state of {@code devices} devices taken over. */
    synchronized void framesStarted(int partition, int devices) {
        frames.add(partition);
        devicesTaken += devices;
        started++;
    }

    /** A passages partition's watchlist starts here, with {@code open} open passages taken over. */
    synchronized void passagesStarted(int partition, int open) {
        passages.add(partition);
        passagesTaken += open;
        started++;
    }

    synchronized void framesClosed(int partition) {
        if (frames.remove(partition)) {
            closed++;
        }
    }

    synchronized void passagesClosed(int partition) {
        if (passages.remove(partition)) {
            closed++;
        }
    }

    synchronized int framesOwned() {
        return frames.size();
    }

    synchronized int passagesOwned() {
        return passages.size();
    }

    /**
     * What a settled rebalance left here, for its one log line: the partitions of each topic, the
     * tasks started and closed and the state taken over since the last call (which it resets).
     */
    synchronized String settled() {
        String line = "frames partitions " + frames + " (" + devicesTaken + " devices' state taken over), passages "
                + "partitions " + passages + " (" + passagesTaken + " open passages taken over); " + started
                + " tasks started and " + closed + " closed since the last rebalance";
        devicesTaken = 0;
        passagesTaken = 0;
        started = 0;
        closed = 0;
        return line;
    }
}
