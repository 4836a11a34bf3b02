package org.limes.gateway.outbox;

/**
 * Hears of records an outbox lost to its size or age limit. Called on the appending or
 * committer thread after the outbox released its lock; it must be quick and must never
 * append to the same outbox.
 */
@FunctionalInterface
public interface EvictionListener {

    EvictionListener NONE = (destination, lost) -> { };

    void evicted(String destination, long lostRecords);
}
