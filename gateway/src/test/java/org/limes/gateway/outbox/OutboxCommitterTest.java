package org.limes.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxCommitterTest {

    @TempDir
    Path dir;

    private Outbox open() throws Exception {
        return Outbox.open("store", dir, OutboxLimits.defaults(), new OutboxMetrics(new SimpleMeterRegistry(), "store"));
    }

    /**
     * Acknowledged positions are persisted on a timer, not in every group commit; what was acknowledged
     * before the committer closed is persisted by its last cycle, so a restart does not deliver it again.
     */
    @Test
    void acknowledgedPositionsArePersistedOnTheirTimerAndAtClose() throws Exception {
        Outbox outbox = open();
        try (OutboxCommitter committer = new OutboxCommitter(1)) {
            committer.register(outbox);
            committer.start();
            for (int i = 0; i < 3; i++) {
                outbox.append(OutboxRecord.READING, ("r" + i).getBytes(StandardCharsets.UTF_8));
            }
            CountDownLatch durable = new CountDownLatch(1);
            committer.afterDurable(durable::countDown);
            assertThat(durable.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(outbox.poll(10, 1 << 20, 0, TimeUnit.MILLISECONDS)).hasSize(3);
            outbox.acknowledge(2);
        }
        Outbox reopened = open();
        List<OutboxRecord> left = reopened.poll(10, 1 << 20, 0, TimeUnit.MILLISECONDS);
        assertThat(left).extracting(OutboxRecord::seq).containsExactly(2L);
    }

    @Test
    void ofTheSupersedingActionsOneCycleTakesUpOnlyTheNewestRunsInThePlaceOfTheEarliest() {
        List<String> ran = new CopyOnWriteArrayList<>();
        Object shard = new Object();
        Object other = new Object();
        try (OutboxCommitter committer = new OutboxCommitter(1)) {
            committer.hold();
            committer.start();
            committer.afterDurable(shard, () -> ran.add("save 1"));
            committer.afterDurable(() -> ran.add("ack a"));
            committer.afterDurable(other, () -> ran.add("other save"));
            committer.afterDurable(shard, () -> ran.add("save 2"));
            committer.afterDurable(() -> ran.add("ack b"));
            committer.afterDurable(shard, () -> ran.add("save 3"));
            committer.resume();
            await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 4);
            assertThat(ran).containsExactly("save 3", "ack a", "other save", "ack b");

            committer.afterDurable(shard, () -> ran.add("save 4"));
            await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 5);
            assertThat(ran).last().isEqualTo("save 4");
        }
    }

    /**
     * With nothing appended and nothing waiting, the committer sleeps instead of running a cycle every
     * sync interval: a quiet gateway (a cluster instance between frames, a crossing at night) paid 200
     * empty cycles a second, each looking at every outbox.
     */
    @Test
    void anIdleCommitterDoesNotCycleEverySyncInterval() throws Exception {
        Outbox outbox = open();
        try (OutboxCommitter committer = new OutboxCommitter(1)) {
            committer.register(outbox);
            committer.start();
            outbox.append(OutboxRecord.READING, "r".getBytes(StandardCharsets.UTF_8));
            CountDownLatch durable = new CountDownLatch(1);
            committer.afterDurable(durable::countDown);
            assertThat(durable.await(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(committer::idle);
            long before = committer.cycles();
            // One cycle per acknowledged-position timer at most (250 ms), not one per millisecond.
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
                    .until(() -> committer.cycles() - before <= 4);
        }
    }

    /** An append alone, with no action waiting for it, wakes a sleeping committer: the record becomes durable. */
    @Test
    void anAppendWakesASleepingCommitter() throws Exception {
        Outbox outbox = open();
        try (OutboxCommitter committer = sleepingForAMinute()) {
            committer.register(outbox);
            committer.start();
            await().atMost(Duration.ofSeconds(10)).until(committer::idle);
            outbox.append(OutboxRecord.READING, "r".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(() -> outbox.durableSeq() >= 1);
        }
    }

    /** An action registered alone wakes a sleeping committer and runs. */
    @Test
    void anActionWakesASleepingCommitter() throws Exception {
        try (OutboxCommitter committer = sleepingForAMinute()) {
            committer.register(open());
            committer.start();
            await().atMost(Duration.ofSeconds(10)).until(committer::idle);
            CountDownLatch ran = new CountDownLatch(1);
            committer.afterDurable(ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** A committer whose idle sleep outlasts any test: only a wake-up can make it cycle again. */
    private static OutboxCommitter sleepingForAMinute() {
        return new OutboxCommitter(1, 60_000, Clock.systemUTC(), new SimpleMeterRegistry());
    }
}
