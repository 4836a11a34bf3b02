package org.limes.gateway.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.outbox.TestQueues;
import org.limes.gateway.rules.TestClock;

/**
 * The drainer's table, with deliveries written in the test over a real outbox queue and a
 * clock the test moves: what it acknowledges, rewinds, counts, sets aside, and when it retries.
 */
class SinkDrainerTest {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestClock clock = new TestClock(Instant.parse("2026-12-05T08:00:00Z"));
    /** The texts of every batch offered, in order. */
    private final List<List<String>> offered = new CopyOnWriteArrayList<>();
    private OutboxCommitter committer;
    private DestinationQueue queue;
    private SinkDrainer drainer;

    @BeforeEach
    void open() throws Exception {
        committer = new OutboxCommitter(2);
        committer.start();
        queue = TestQueues.open(dir, "store", committer, registry);
    }

    @AfterEach
    void close() {
        if (drainer != null) {
            drainer.close();
        }
        committer.close();
    }

    private void start(Delivery delivery) {
        Delivery recorded = new Delivery() {
            @Override
            public void open() throws DeliveryFailed {
                delivery.open();
            }

            @Override
            public int deliver(List<OutboxRecord> batch) throws DeliveryFailed {
                offered.add(batch.stream().map(r -> new String(r.payload(), StandardCharsets.UTF_8)).toList());
                return delivery.deliver(batch);
            }
        };
        drainer = new SinkDrainer(queue, recorded, new SinkMetrics(registry, "store"), clock,
                new Backoff(1_000, 1_000), 10, 1 << 20, 5_000);
        drainer.start();
    }

    private void append(String... texts) throws InterruptedException {
        for (String t : texts) {
            queue.append(OutboxRecord.READING, t.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aPrefixTakenWithoutFailureIsAcknowledgedAndTheRestOfferedAgainAtOnce() throws Exception {
        append("r1", "r2", "r3");
        start(batch -> 1);

        await().atMost(Duration.ofSeconds(10)).until(() -> queue.depth() == 0);
        assertThat(offered).containsExactly(List.of("r1", "r2", "r3"), List.of("r2", "r3"), List.of("r3"));
        assertThat(counter("limes.sink.delivered")).isEqualTo(3);
        assertThat(counter("limes.errors")).isZero();
    }

    @Test
    void theDeliveryIsOpenedAtStartWithNothingQueuedAndAgainAfterABackoffOnTheInjectedClockWhileItFails()
            throws Exception {
        AtomicInteger opens = new AtomicInteger();
        start(new Delivery() {
            @Override
            public void open() throws DeliveryFailed {
                if (opens.incrementAndGet() == 1) {
                    throw DeliveryFailed.retry(0, "connect", "the centre is not up yet", null);
                }
            }

            @Override
            public int deliver(List<OutboxRecord> batch) {
                return batch.size();
            }
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> counter("limes.errors") == 1);
        assertThat(registry.get("limes.errors").tag("error_type", "connect").counter().count()).isEqualTo(1);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> opens.get() == 1);

        clock.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> opens.get() == 2);
        append("r1");
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.depth() == 0);
        assertThat(opens).hasValue(2);
        assertThat(offered).containsExactly(List.of("r1"));
    }

    @Test
    void aFailureAcknowledgesItsPrefixIsCountedAndIsRetriedWhenTheInjectedClockPassedTheBackoff()
            throws Exception {
        AtomicInteger calls = new AtomicInteger();
        append("r1", "r2", "r3");
        start(batch -> {
            if (calls.incrementAndGet() == 1) {
                throw DeliveryFailed.retry(1, "unavailable", "the store is down", null);
            }
            return batch.size();
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> counter("limes.errors") == 1);
        assertThat(queue.depth()).isEqualTo(2);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);

        clock.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.depth() == 0);
        assertThat(offered).containsExactly(List.of("r1", "r2", "r3"), List.of("r2", "r3"));
        assertThat(registry.get("limes.errors").tag("error_type", "unavailable").counter().count()).isEqualTo(1);
        assertThat(counter("limes.sink.delivered")).isEqualTo(3);
    }

    @Test
    void aRecordNoRetryCanDeliverIsSetAsideAndCountedOnceAndTheRestFlowsOnAtOnce() throws Exception {
        append("r1", "bad", "r3");
        start(batch -> {
            for (int i = 0; i < batch.size(); i++) {
                if (new String(batch.get(i).payload(), StandardCharsets.UTF_8).equals("bad")) {
                    throw DeliveryFailed.setAside(i, null, new Undeliverable("undecodable", "not a reading", null));
                }
            }
            return batch.size();
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> queue.depth() == 0);
        assertThat(offered).containsExactly(List.of("r1", "bad", "r3"), List.of("r3"));
        assertThat(queue.deadLetters().count()).isEqualTo(1);
        assertThat(registry.get("limes.dropped").tag("reason", "undecodable").counter().count()).isEqualTo(1);
        assertThat(counter("limes.errors")).isZero();
        assertThat(counter("limes.sink.delivered")).isEqualTo(2);
    }

    @Test
    void aFaultInTheDeliveryIsRetriedNeverDropped() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        append("r1");
        start(batch -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("a bug");
            }
            return batch.size();
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> counter("limes.errors") == 1);
        assertThat(queue.depth()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.depth() == 0);
        assertThat(registry.get("limes.errors").tag("error_type", "internal").counter().count()).isEqualTo(1);
    }

    @Test
    void aRetryAfterLongerThanTheBackoffIsWaitedFor() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        append("r1");
        start(batch -> {
            if (calls.incrementAndGet() == 1) {
                throw DeliveryFailed.retry(0, "http_503", "busy", null).retryAfter(60_000);
            }
            return batch.size();
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> counter("limes.errors") == 1);
        clock.advance(Duration.ofSeconds(30));
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1);
        clock.advance(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.depth() == 0);
    }

    private double counter(String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }
}
