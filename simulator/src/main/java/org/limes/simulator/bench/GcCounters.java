package org.limes.simulator.bench;

/**
 * The gateway's garbage-collection counters at one moment, from its {@code /metrics} page
 * (Micrometer's {@code JvmGcMetrics}): what a phase allocated, what it promoted to the old
 * generation and how long its collections stopped the gateway. Allocation per message is
 * stable where throughput is not, and promotion is what fills the old generation towards a
 * full collection; pauses are what a frame or an alert waits for while the gateway stops.
 *
 * <p>Micrometer counts allocation and promotion at each collection (young generation used
 * before it minus after the last one), so a phase's figure is exact to within the one
 * collection on either side of it: with a 50 MB young generation and 100,000 messages, about
 * ±0.5 KB per message.
 *
 * @param allocatedBytes {@code jvm_gc_memory_allocated_bytes_total}
 * @param promotedBytes  {@code jvm_gc_memory_promoted_bytes_total}
 * @param pauseSeconds   the sum of {@code jvm_gc_pause_seconds_sum} over collectors and causes
 * @param pauses         the sum of {@code jvm_gc_pause_seconds_count}
 */
record GcCounters(double allocatedBytes, double promotedBytes, double pauseSeconds, long pauses) {

    /** Not measured: every figure -1. */
    static final GcCounters NONE = new GcCounters(-1, -1, -1, -1);

    /** The counters in a Prometheus text page; {@link #NONE} when it has no allocation counter. */
    static GcCounters parse(String prometheusText) {
        double allocated = -1;
        double promoted = 0;
        double pause = 0;
        double count = 0;
        for (String line : prometheusText.split("\n")) {
            if (named(line, "jvm_gc_memory_allocated_bytes_total")) {
                allocated = value(line);
            } else if (named(line, "jvm_gc_memory_promoted_bytes_total")) {
                promoted = value(line);
            } else if (named(line, "jvm_gc_pause_seconds_sum")) {
                pause += value(line);
            } else if (named(line, "jvm_gc_pause_seconds_count")) {
                count += value(line);
            }
        }
        return allocated < 0 ? NONE : new GcCounters(allocated, promoted, pause, Math.round(count));
    }

    /** What happened between {@code before} and this; {@link #NONE} if either was not measured. */
    GcCounters since(GcCounters before) {
        if (allocatedBytes < 0 || before.allocatedBytes < 0) {
            return NONE;
        }
        return new GcCounters(allocatedBytes - before.allocatedBytes, promotedBytes - before.promotedBytes,
                pauseSeconds - before.pauseSeconds, pauses - before.pauses);
    }

    boolean measured() {
        return allocatedBytes >= 0;
    }

    /** True when {@code line} is a sample of the metric {@code name}, with or without labels (not of a longer name). */
    private static boolean named(String line, String name) {
        return line.startsWith(name) && line.length() > name.length()
                && (line.charAt(name.length()) == ' ' || line.charAt(name.length()) == '{');
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
