package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.limes.gateway.rules.TestClock;

class PartitionTimeTest {

    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private final TestClock wall = new TestClock(T0);
    /** What Kafka answers for the partition (null: it cannot say). */
    private PartitionTime.Position kafka;
    private final PartitionTime time = new PartitionTime(wall, () -> kafka);
    private long offset;

    private static long at(double seconds) {
        return T0.toEpochMilli() + (long) (seconds * 1000);
    }

    @Test
    void aBacklogIsJudgedAtItsReceiveTimesNotAtTheMomentItIsProcessed() {
        assertThat(time.now()).as("the wall clock before anything is known").isEqualTo(at(0));
        // A takeover 12 s late: frames received 12 s ago come now, one after another.
        assertThat(time.record(at(-12), offset++)).isEqualTo(at(-12));
        assertThat(time.clock().millis()).isEqualTo(at(-12));
        assertThat(time.record(at(-10), offset++)).isEqualTo(at(-10));
        assertThat(time.record(at(-4), offset++)).isEqualTo(at(-4));
    }

    @Test
    void ruleTimeNeverGoesBackAndNeverPastTheWallClock() {
        time.record(at(-5), offset++);
        assertThat(time.record(at(-6), offset++)).as("another instance's clock a second behind").isEqualTo(at(-5));
        assertThat(time.record(at(3), offset++)).as("another instance's clock ahead of this one").isEqualTo(at(0));
    }

    @Test
    void aTickWhileBehindDoesNotRunAheadOfTheFramesStillToCome() {
        time.record(at(-11), offset++);
        wall.advance(Duration.ofMillis(400));
        assertThat(time.tick()).isTrue();
        assertThat(time.now()).as("the last receive time plus the wall time since, not the wall clock")
                .isEqualTo(at(-10.6));
        time.record(at(-9), offset++);
        assertThat(time.now()).isEqualTo(at(-9));
    }

    @Test
    void anIdlePartitionTicksAtTheWallClock() {
        time.record(at(-2), offset++);
        wall.advance(Duration.ofMillis(PartitionTime.IDLE_MS));
        assertThat(time.tick()).isTrue();
        assertThat(time.now()).isEqualTo(T0.toEpochMilli() + PartitionTime.IDLE_MS);
        assertThat(time.record(at(1), offset++)).as("a late frame is judged at the rule time already reached")
                .isEqualTo(T0.toEpochMilli() + PartitionTime.IDLE_MS);
    }

    /** Kafka answers now: the partition ends at {@code end}, the group committed {@code committed}. */
    private void kafka(long end, long committed) {
        kafka = new PartitionTime.Position(end, committed, wall.millis());
    }

    @Test
    void aTakeoverWhoseBacklogIsFetchedLateDoesNotTickAheadOfIt() {
        // The dead owner committed offset 40; frames up to 99 are in the partition. The new
        // owner's first fetch takes 5 s (a busy box): ticks wait, so the backlog is not judged
        // at the wall clock (every hold in it would start at once, and be cancelled by the low
        // readings after the surge).
        kafka(100, 40);
        offset = 40;
        wall.advance(Duration.ofSeconds(5));
        assertThat(time.tick()).as("a backlog not yet fetched").isFalse();
        assertThat(time.record(at(-12), offset++)).as("judged when it was received").isEqualTo(at(-12));
        wall.advance(Duration.ofMillis(PartitionTime.IDLE_MS));
        assertThat(time.tick()).as("stalled with records left: a tick at the last record's time").isTrue();
        assertThat(time.now()).isEqualTo(at(-12));
        offset = 99;
        time.record(at(-1), offset++);
        wall.advance(Duration.ofMillis(300));
        kafka(100, 40);
        wall.advance(Duration.ofMillis(200));
        assertThat(time.tick()).as("processed to the end: idle").isTrue();
        assertThat(time.now()).as("up to the moment Kafka answered").isEqualTo(wall.millis() - 200);
    }

    @Test
    void aCatchUpSlowerThanRealTimeDoesNotRunTheRuleTimeAtWallSpeed() {
        // Four partitions taken over at once: this one gets a batch, then waits 2 s for the others.
        kafka(500, 0);
        time.record(at(-20), offset++);
        wall.advance(Duration.ofSeconds(2));
        assertThat(time.tick()).isTrue();
        assertThat(time.now()).as("not the last receive time plus the 2 s this partition waited")
                .isEqualTo(at(-20));
        assertThat(time.record(at(-19.5), offset++)).as("the next frame at its own time").isEqualTo(at(-19.5));
    }

    @Test
    void aPartitionCaughtUpAtItsAssignmentTicksAtOnce() {
        kafka(100, 100);
        wall.advance(Duration.ofSeconds(1));
        assertThat(time.tick()).as("nothing to fetch: its silences count from Kafka's answer").isTrue();
        assertThat(time.now()).isEqualTo(at(0));
    }

    @Test
    void aCommitPastATransactionMarkerIsNotABacklog() {
        // Transactional input: the last record is at 41, its commit marker at 42.
        offset = 41;
        time.record(at(-1), offset++);
        wall.advance(Duration.ofMillis(500));
        kafka(43, 43);
        assertThat(time.tick()).isTrue();
        assertThat(time.now()).isEqualTo(wall.millis());
    }

    @Test
    void whenKafkaCannotSayRightAfterAnAssignmentTicksWaitForTheBacklogOrForSilence() {
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
        time.record(at(-20), offset++);
        assertThat(time.now()).as("the wall clock was only what the engine was built at").isEqualTo(at(-20));
        assertThat(time.tick()).isTrue();
        assertThat(time.now()).isEqualTo(at(-20));
    }
}
