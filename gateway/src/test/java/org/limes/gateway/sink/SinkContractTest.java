package org.limes.gateway.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.rules.TestClock;
import org.limes.gateway.outbox.TestQueues;

/**
 * What every sink promises, whatever its protocol — the compatibility kit each sink's test
 * extends against its real destination (as {@code DriverContractTest} is for drivers):
 *
 * <ul>
 * <li>a refusal keeps the record: it stays in the outbox, counted in {@code limes.errors},
 *     and is delivered once the destination takes it again;</li>
 * <li>the backoff before a retry runs on the injected clock: while the test holds the clock
 *     still, no retry is made however long the real wait, and one is made soon after the test
 *     moves the clock on;</li>
 * <li>a partial prefix is acknowledged: a record no retry can deliver, behind records the
 *     destination took, is set aside (dead-letter file, {@code limes.dropped}); the records
 *     before it are acknowledged and not sent again, the ones behind it are delivered;</li>
 * <li>a restart (sink and outbox reopened from disk) redelivers what was not acknowledged,
 *     and only that.</li>
 * </ul>
 *
 * A subclass supplies the sink, the records, and a destination it can make refuse and accept
 * again; the sink must be built with the {@link Clock} it is given and a retry backoff of
 * at least 100 ms (every sink's default backoff qualifies).
 */
public abstract class SinkContractTest {

    /** Moves the test clock past any backoff a sink may draw. */
    private static final Duration PAST_ANY_BACKOFF = Duration.ofMinutes(15);

    @TempDir
    protected Path dir;

    protected final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    protected final TestClock clock = new TestClock(Instant.parse("2026-12-05T08:00:00Z"));
    private OutboxCommitter committer;
    private DestinationQueue queue;
    private AutoCloseable sink;

    /** The destination (outbox queue and meter tag) under test. */
    protected abstract String destination();

    /** Starts the sink under test on {@code queue}, with these meters and this clock. */
    protected abstract AutoCloseable startSink(DestinationQueue queue, SinkMetrics metrics, Clock clock)
            throws Exception;

    /** The record type this destination's queue holds ({@code OutboxRecord.ALERT} or {@code READING}). */
    protected abstract byte recordType();

    /** The payload of the {@code n}-th test record, recognisable as {@code n} at the destination. */
    protected abstract byte[] record(int n);

    /** A payload this sink can never deliver (it cannot be encoded, or the destination always refuses it). */
    protected abstract byte[] undeliverable();

    /** The numbers of the records the destination has received, in arrival order, each time it received one. */
    protected abstract List<Integer> received() throws Exception;

    /** From now on the destination refuses (is down, answers an error, drops the connection) until {@link #accept}. */
    protected abstract void refuse() throws Exception;

    /** The destination takes records again. */
    protected abstract void accept() throws Exception;

    /**
     * Moves {@link #clock} so that what the destination received counts as acknowledged; a
     * sink with no acknowledgement from its destination (CoT) confirms by time.
     */
    protected void settle() {
    }

    @BeforeEach
    void openQueue() throws Exception {
        committer = new OutboxCommitter(2);
        committer.start();
        queue = TestQueues.open(dir, destination(), committer, registry);
    }

    @AfterEach
    void closeSinkAndQueue() throws Exception {
        if (sink != null) {
            sink.close();
        }
        committer.close();
    }

    @Test
    void aRefusalKeepsTheRecordAndTheRetryWaitsForTheInjectedClock() throws Exception {
        refuse();
        append(1);
        start();
        await().atMost(Duration.ofSeconds(60)).until(() -> errors() >= 1);
        double failed = errors();

        // The clock stands still: whatever the real time, the backoff has not elapsed, so no retry.
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> errors() == failed);
        assertThat(queue.depth()).as("the refused record stays in the outbox").isEqualTo(1);
        assertThat(received()).doesNotContain(1);

        accept();
        clock.advance(PAST_ANY_BACKOFF);
        awaitSettled(() -> queue.depth() == 0 && received().contains(1));
        assertThat(delivered()).isEqualTo(1);
    }

    @Test
    void aPartialPrefixIsAcknowledgedAndTheRecordsBehindAnUndeliverableOneFlowOn() throws Exception {
        append(1);
        append(2);
        queue.append(recordType(), undeliverable());
        append(4);
        start();

        awaitSettled(() -> queue.depth() == 0 && received().contains(4));
        assertThat(received()).containsExactly(1, 2, 4);
        assertThat(queue.deadLetters().count()).isEqualTo(1);
        assertThat(registry.find("limes.dropped").tag("component", "sink-" + destination()).counters().stream()
                .mapToDouble(Counter::count).sum()).isEqualTo(1);
        assertThat(delivered()).isEqualTo(3);
    }

    @Test
    void aRestartRedeliversWhatWasNotAcknowledgedAndOnlyThat() throws Exception {
        append(1);
        start();
        awaitSettled(() -> queue.depth() == 0 && received().contains(1));
        refuse();
        append(2);
        clock.advance(PAST_ANY_BACKOFF);
        double before = errors();
        await().atMost(Duration.ofSeconds(60)).until(() -> errors() > before);
        sink.close();
        sink = null;

        // The outbox reopened from disk, as after a crash of the gateway.
        committer.close();
        committer = new OutboxCommitter(2);
        committer.start();
        queue = TestQueues.open(dir, destination(), committer, registry);
        assertThat(queue.depth()).isEqualTo(1);
        accept();
        start();
        awaitSettled(() -> queue.depth() == 0 && received().contains(2));
        assertThat(received()).containsExactly(1, 2);
    }

    private void start() throws Exception {
        sink = startSink(queue, new SinkMetrics(registry, destination()), clock);
    }

    private void append(int n) throws InterruptedException {
        queue.append(recordType(), record(n));
    }

    /** Waits for {@code done}, settling the clock between looks; a backoff in between elapses too. */
    private void awaitSettled(Callable<Boolean> done) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            settle();
            return done.call();
        });
    }

    private double errors() {
        return registry.find("limes.errors").tag("component", "sink-" + destination()).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private double delivered() {
        return registry.get("limes.sink.delivered").tag("destination", destination()).counter().count();
    }
}
