package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.limes.gateway.rules.TestClock;

class PartitionTimeTest {

    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private final TestClock wall = new TestClock(T0);
    private final PartitionTime time = new PartitionTime(wall);

    private static long at(double seconds) {
        return T0.toEpochMilli() + (long) (seconds * 1000);
    }

    @Test
    void aBacklogIsJudgedAtItsReceiveTimesNotAtTheMomentItIsProcessed() {
        assertThat(time.now()).as("the wall clock before anything is known").isEqualTo(at(0));
        // A takeover 12 s late: frames received 12 s ago come now, one after another.
        assertThat(time.record(at(-12))).isEqualTo(at(-12));
        assertThat(time.clock().millis()).isEqualTo(at(-12));
        assertThat(time.record(at(-10))).isEqualTo(at(-10));
        assertThat(time.record(at(-4))).isEqualTo(at(-4));
    }

    @Test
    void ruleTimeNeverGoesBackAndNeverPastTheWallClock() {
        time.record(at(-5));
        assertThat(time.record(at(-6))).as("another instance's clock a second behind").isEqualTo(at(-5));
        assertThat(time.record(at(3))).as("another instance's clock ahead of this one").isEqualTo(at(0));
    }

    @Test
    void aTickWhileBehindDoesNotRunAheadOfTheFramesStillToCome() {
        time.record(at(-11));
        wall.advance(Duration.ofMillis(400));
        assertThat(time.tick()).isTrue();
        assertThat(time.now()).as("the last receive time plus the wall time since, not the wall clock")
                .isEqualTo(at(-10.6));
        time.record(at(-9));
        assertThat(time.now()).isEqualTo(at(-9));
    }

    @Test
    void anIdlePartitionTicksAtTheWallClock() {
        time.record(at(-2));
        wall.advance(Duration.ofMillis(PartitionTime.IDLE_MS));
        assertThat(time.tick()).isTrue();
        assertThat(time.now()).isEqualTo(T0.toEpochMilli() + PartitionTime.IDLE_MS);
        assertThat(time.record(at(1))).as("a late frame is judged at the rule time already reached")
                .isEqualTo(T0.toEpochMilli() + PartitionTime.IDLE_MS);
    }

    @Test
    void rightAfterAnAssignmentTicksWaitForTheBacklogOrForSilence() {
        wall.advance(Duration.ofMillis(PartitionTime.IDLE_MS - 1));
        assertThat(time.tick()).as("the backlog may not be fetched yet").isFalse();
        assertThat(time.now()).isEqualTo(wall.millis());
        wall.advance(Duration.ofMillis(1));
        assertThat(time.tick()).as("silent since the assignment: idle").isTrue();
        assertThat(time.now()).isEqualTo(wall.millis());
    }

    @Test
    void aRecordBeforeTheFirstTickSetsTheTimeEvenBeforeTheAssignment() {
        wall.advance(Duration.ofSeconds(1));
        time.record(at(-20));
        assertThat(time.now()).as("the wall clock was only what the engine was built at").isEqualTo(at(-20));
        assertThat(time.tick()).isTrue();
        assertThat(time.now()).isEqualTo(at(-20));
    }
}
