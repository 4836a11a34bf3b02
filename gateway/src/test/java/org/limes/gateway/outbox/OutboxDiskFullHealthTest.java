package org.limes.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full outbox disk must show (issue 13 item 21): the records waiting for it count in the
 * age of the oldest unacknowledged record (it stayed 0 while depth grew), the committer says
 * what fails and since when (for {@code /ready} and {@code /health}), and it retries the sync
 * with backoff instead of once per 5 ms cycle.
 */
class OutboxDiskFullHealthTest {

    private static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FullDisk disk = new FullDisk();

    private Outbox open(String log, Clock clock) throws Exception {
        return Outbox.open("store/" + log, dir.resolve(log), OutboxLimits.defaults(),
                new OutboxMetrics(registry, "store", log), clock, EvictionListener.NONE, disk);
    }

    @Test
    void recordsWaitingForAFullDiskCountInTheOldestUnackedAge() throws Exception {
        Outbox readings = open("readings", Clock.fixed(T0, ZoneOffset.UTC));
        Outbox alerts = open("alerts", Clock.fixed(T0, ZoneOffset.UTC));
        DestinationQueue queue = new DestinationQueue("store", alerts, readings, 0);
        disk.fill();
        readings.append(OutboxRecord.READING, "lane v=1i".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(readings::flush).hasMessageContaining("writing segment");

        assertThat(readings.oldestUnackedMillis()).isEqualTo(T0.toEpochMilli());
        assertThat(queue.oldestUnackedAgeMs(T0.toEpochMilli() + 42_000)).isEqualTo(42_000);

        disk.free();
        assertThat(readings.flush()).isTrue();
        assertThat(queue.oldestUnackedAgeMs(T0.toEpochMilli() + 43_000)).isEqualTo(43_000);
        readings.acknowledge(1);
        assertThat(queue.oldestUnackedAgeMs(T0.toEpochMilli() + 44_000)).isZero();
    }

    @Test
    void theCommitterSaysWhyAndBacksOffWhileTheDiskIsFullAndRecoversWhenItIsFreed() throws Exception {
        Outbox readings = open("readings", Clock.systemUTC());
        try (OutboxCommitter committer = new OutboxCommitter(1)) {
            committer.register(readings);
            disk.fill();
            readings.append(OutboxRecord.READING, "lane v=1i".getBytes(StandardCharsets.UTF_8));
            AtomicBoolean acknowledgedUpstream = new AtomicBoolean();
            committer.afterDurable(() -> acknowledgedUpstream.set(true));
            long start = System.nanoTime();
            committer.start();

            // Each attempt fails twice (the records, and the new outbox's acknowledged position).
            await().atMost(Duration.ofSeconds(10)).until(() -> committer.failures() >= 10);
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // 50 + 100 + 200 + 400 ms between the first five attempts; once per 1 ms cycle before.
            assertThat(elapsedMs).isGreaterThanOrEqualTo(700);
            assertThat(committer.syncFailure()).contains("store/readings", "No space left on device");
            assertThat(committer.syncFailingSinceMillis()).isPositive();
            assertThat(acknowledgedUpstream).isFalse();

            disk.free();
            await().atMost(Duration.ofSeconds(10)).until(() -> committer.syncFailure() == null);
            await().atMost(Duration.ofSeconds(5)).untilTrue(acknowledgedUpstream);
            assertThat(committer.syncFailingSinceMillis()).isEqualTo(-1);
            assertThat(readings.durableSeq()).isEqualTo(1);
        }
    }
}
