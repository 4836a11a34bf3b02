package org.limes.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GcCountersTest {

    private static String page(double allocated, double promoted, double youngSum, long youngCount, double oldSum,
            long oldCount) {
        return """
                # HELP jvm_gc_memory_allocated_bytes_total Incremented for an increase in the size of the young heap
                # TYPE jvm_gc_memory_allocated_bytes_total counter
                jvm_gc_memory_allocated_bytes_total %s
                jvm_gc_memory_promoted_bytes_total %s
                jvm_gc_pause_seconds_count{action="end of minor GC",cause="Allocation Failure",gc="Copy"} %d
                jvm_gc_pause_seconds_sum{action="end of minor GC",cause="Allocation Failure",gc="Copy"} %s
                jvm_gc_pause_seconds_max{action="end of minor GC",cause="Allocation Failure",gc="Copy"} 0.9
                jvm_gc_pause_seconds_count{action="end of major GC",cause="Allocation Failure",gc="MarkSweepCompact"} %d
                jvm_gc_pause_seconds_sum{action="end of major GC",cause="Allocation Failure",gc="MarkSweepCompact"} %s
                jvm_gc_memory_allocated_bytes_total_other 5.0
                """.formatted(allocated, promoted, youngCount, youngSum, oldCount, oldSum);
    }

    @Test
    void sumsThePausesOfEveryCollectorAndCause() {
        GcCounters c = GcCounters.parse(page(2.06044904E9, 1.43944544E8, 1.962, 38, 0.229, 1));

        assertThat(c.allocatedBytes()).isEqualTo(2.06044904E9);
        assertThat(c.promotedBytes()).isEqualTo(1.43944544E8);
        assertThat(c.pauses()).isEqualTo(39);
        assertThat(c.pauseSeconds()).isEqualTo(1.962 + 0.229);
        assertThat(c.measured()).isTrue();
    }

    @Test
    void aPhaseIsTheDifferenceOfTwoReadings() {
        GcCounters before = GcCounters.parse(page(1.0E9, 1.0E8, 1.0, 20, 0.2, 1));
        GcCounters after = GcCounters.parse(page(1.8E9, 1.5E8, 1.5, 30, 0.2, 1));

        GcCounters phase = after.since(before);

        assertThat(phase.allocatedBytes()).isEqualTo(8.0E8);
        assertThat(phase.promotedBytes()).isEqualTo(5.0E7);
        assertThat(phase.pauses()).isEqualTo(10);
        assertThat(phase.pauseSeconds()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        BenchPhase bench = new BenchPhase(100_000, 1, 1, 1, -1, null, phase);
        assertThat(bench.gatewayAllocatedBytesPerMessage()).isEqualTo(8_000.0);
        assertThat(bench.gatewayPromotedBytesPerMessage()).isEqualTo(500.0);
    }

    @Test
    void aPageWithoutTheCountersIsNotMeasured() {
        GcCounters none = GcCounters.parse("limes_frames_received_total 3.0\n");

        assertThat(none.measured()).isFalse();
        assertThat(GcCounters.parse(page(1.0E9, 0, 0, 0, 0, 0)).since(none).measured()).isFalse();
        assertThat(none.since(GcCounters.parse(page(1.0E9, 0, 0, 0, 0, 0))).measured()).isFalse();
        assertThat(new BenchPhase(10, 1, 1, 1, -1, null, none).gatewayAllocatedBytesPerMessage()).isEqualTo(-1);
    }
}
