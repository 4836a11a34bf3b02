package org.limes.gateway.rules;

import java.util.Arrays;

/**
 * A count per device of a rule index entry's rules that are not at rest for that device
 * (a threshold not idle, a rate-of-change or deadman episode open), so that the engine can
 * skip rules that cannot do anything with a reading: while a device's count is 0, a rule of
 * the entry acts on its reading only if the reading meets its raise condition.
 *
 * <p>Rules update it on every change to or from rest ({@link #add}, {@link #remove}); the
 * engine rebuilds it from the rules' own state whenever it installs rules ({@link
 * RuleIndex}). A count is a hint that may only err upwards: a count above 0 for a device
 * whose rules are all at rest merely visits them.
 *
 * <p>Bounded by the device table: it grows to the highest index a rule reports, which is at
 * most {@link DeviceTable#size()}. Threading: shard-confined, like the rules.
 */
final class DeviceCounts {

    private final DeviceTable devices;
    private int[] counts = new int[0];

    DeviceCounts(DeviceTable devices) {
        this.devices = devices;
    }

    /** Rules of the entry not at rest for device {@code d}. */
    int get(int d) {
        return d < counts.length ? counts[d] : 0;
    }

    void add(int d) {
        if (d >= counts.length) {
            counts = Arrays.copyOf(counts, Math.max(d + 1, Math.max(16, Math.max(devices.size(), counts.length * 2))));
        }
        counts[d]++;
    }

    void remove(int d) {
        if (d < counts.length && counts[d] > 0) {
            counts[d]--;
        }
    }
}
