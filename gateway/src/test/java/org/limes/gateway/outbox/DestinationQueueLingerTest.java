package org.limes.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The readings linger of a destination's queue: small batches wait for more, alerts never. */
class DestinationQueueLingerTest {

    private static final int MAX_BYTES = 1 << 20;
    private static final long LONG_LINGER = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dir;

    private Outbox alerts;
    private Outbox readings;
    private DestinationQueue queue;

    @BeforeEach
    void open() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        alerts = Outbox.open("store/alerts", dir.resolve("store").resolve("alerts"), OutboxLimits.defaults(),
                new OutboxMetrics(registry, "store", "alert"));
        readings = Outbox.open("store/readings", dir.resolve("store").resolve("readings"), OutboxLimits.defaults(),
                new OutboxMetrics(registry, "store", "reading"));
        queue = new DestinationQueue("store", alerts, readings, 0);
    }

    private void durable(Outbox o, byte type, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            o.append(type, ("r" + i).getBytes(StandardCharsets.UTF_8));
        }
        o.flush();
    }

    private CompletableFuture<List<OutboxRecord>> pollAsync(int maxRecords, long lingerNanos) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return queue.poll(maxRecords, MAX_BYTES, lingerNanos, 200, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void withoutLingerASmallBatchGoesAtOnce() throws Exception {
        durable(readings, OutboxRecord.READING, 3);

        assertThat(queue.poll(10, MAX_BYTES, 0, 0, TimeUnit.MILLISECONDS)).hasSize(3);
    }

    @Test
    void aSmallBatchOfReadingsWaitsForMoreAndGoesOnceFull() throws Exception {
        durable(readings, OutboxRecord.READING, 3);

        CompletableFuture<List<OutboxRecord>> batch = pollAsync(10, LONG_LINGER);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !batch.isDone());
        durable(readings, OutboxRecord.READING, 7);

        assertThat(batch.get(10, TimeUnit.SECONDS)).hasSize(10);
    }

    @Test
    void aSmallBatchGoesWhenItsLingerRunsOut() throws Exception {
        durable(readings, OutboxRecord.READING, 3);

        long start = System.nanoTime();
        List<OutboxRecord> batch = pollAsync(10, TimeUnit.MILLISECONDS.toNanos(150)).get(10, TimeUnit.SECONDS);

        assertThat(batch).hasSize(3);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
    }

    @Test
    void anAlertDoesNotWaitBehindLingeringReadings() throws Exception {
        durable(readings, OutboxRecord.READING, 3);

        CompletableFuture<List<OutboxRecord>> batch = pollAsync(10, LONG_LINGER);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !batch.isDone());
        durable(alerts, OutboxRecord.ALERT, 1);

        List<OutboxRecord> got = batch.get(5, TimeUnit.SECONDS);
        assertThat(got).hasSize(1);
        assertThat(got.get(0).type()).isEqualTo(OutboxRecord.ALERT);
    }

    /**
     * A centre's queue has no readings: its poll waits, and an alert made durable meanwhile must
     * wake it, not wait for that wait to end. The poll is woken five times, each time at the start
     * of its wait; on the old code, which waited on the readings log alone for 50 ms at a time,
     * each alert waited ~50 ms. The bound is half that, the median of five, so a loaded machine's
     * scheduling delays do not decide it.
     */
    @ParameterizedTest(name = "readings waiting: {0}")
    @ValueSource(ints = {0, 3})
    void anAlertMadeDurableWakesAWaitingPollAtOnce(int readingsWaiting) throws Exception {
        if (readingsWaiting > 0) {
            durable(readings, OutboxRecord.READING, readingsWaiting);
        }
        List<Long> delaysMs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            AtomicReference<List<OutboxRecord>> got = new AtomicReference<>();
            AtomicLong returnedAt = new AtomicLong();
            Thread poller = new Thread(() -> {
                try {
                    got.set(queue.poll(10, MAX_BYTES, LONG_LINGER, 20, TimeUnit.SECONDS));
                    returnedAt.set(System.nanoTime());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "test-sink");
            poller.start();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                    .until(() -> poller.getState() == Thread.State.TIMED_WAITING);
            long before = System.nanoTime();
            durable(alerts, OutboxRecord.ALERT, 1);
            poller.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(got.get()).singleElement().satisfies(r -> assertThat(r.type()).isEqualTo(OutboxRecord.ALERT));
            delaysMs.add(TimeUnit.NANOSECONDS.toMillis(returnedAt.get() - before));
        }
        Collections.sort(delaysMs);
        assertThat(delaysMs.get(2)).as("median delay of the alerts, ms: %s", delaysMs).isLessThan(25);
    }
}
