package org.limes.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random runs of appends, group commits, a disk that fills and frees, acknowledgements,
 * rewinds, restarts, and evictions by size and by age, against one outbox on real files.
 * After every poll: a record is returned whenever one is durable past the reader (no stall),
 * records come in sequence order from the first unacknowledged one, none twice within a
 * reader's pass, each with the payload appended under its number; a restart loses nothing
 * durable; and the reader never needs repositioning.
 */
class OutboxDeliveryPropertiesTest {

    /** Small segments and a small queue, so that roll-over, deletion and eviction happen often. */
    private static final OutboxLimits LIMITS = new OutboxLimits(8_000, 1_000, 2_000, 500);

    sealed interface Step permits Append, Flush, Fill, Free, Persist, Poll, Ack, Rewind, Restart, Expire {
    }

    record Append(int count, long seed) implements Step {
    }

    record Flush() implements Step {
    }

    record Fill() implements Step {
    }

    record Free() implements Step {
    }

    record Persist() implements Step {
    }

    record Poll(int max) implements Step {
    }

    /** Acknowledges this share (percent) of what was polled and not yet acknowledged. */
    record Ack(int percent) implements Step {
    }

    record Rewind() implements Step {
    }

    record Restart() implements Step {
    }

    record Expire() implements Step {
    }

    @Provide
    Arbitrary<List<Step>> runs() {
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(25, Arbitraries.integers().between(1, 12)
                        .flatMap(n -> Arbitraries.longs().map(seed -> (Step) new Append(n, seed)))),
                Tuple.of(15, Arbitraries.just(new Flush())),
                Tuple.of(4, Arbitraries.just(new Fill())),
                Tuple.of(4, Arbitraries.just(new Free())),
                Tuple.of(10, Arbitraries.just(new Persist())),
                Tuple.of(20, Arbitraries.integers().between(1, 15).map(Poll::new)),
                Tuple.of(12, Arbitraries.integers().between(0, 100).map(Ack::new)),
                Tuple.of(2, Arbitraries.just(new Rewind())),
                Tuple.of(2, Arbitraries.just(new Restart())),
                Tuple.of(1, Arbitraries.just(new Expire())));
        return step.list().ofMinSize(1).ofMaxSize(150);
    }

    @Property(tries = 200)
    void everyDurableRecordIsPolledOnceInOrder(@ForAll("runs") List<Step> steps) throws Exception {
        Path dir = Files.createTempDirectory("outbox-properties");
        try {
            new Run(dir).play(steps);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** One run: the outbox under test and what it must hold. */
    private static final class Run {

        private final Path dir;
        private final FullDisk disk = new FullDisk();
        private final TreeMap<Long, byte[]> appended = new TreeMap<>();
        private SimpleMeterRegistry registry;
        private Outbox outbox;
        /** The sequence number the reader must return next, unless acknowledged past it. */
        private long expected;
        /** Bytes appended since the last successful flush: bounds both write buffers. */
        private long unflushed;
        private boolean full;

        Run(Path dir) throws IOException {
            this.dir = dir;
            open();
        }

        private void open() throws IOException {
            registry = new SimpleMeterRegistry();
            outbox = Outbox.open("store", dir, LIMITS, new OutboxMetrics(registry, "store", "reading"),
                    Clock.systemUTC(), EvictionListener.NONE, disk);
            expected = outbox.acknowledgedSeq();
            unflushed = 0;
        }

        void play(List<Step> steps) throws Exception {
            for (Step step : steps) {
                apply(step);
            }
            disk.free();
            full = false;
            outbox.flush();
            outbox.persistAcknowledged();
            while (poll(7) > 0) {
                // Drains what is left; poll checks each batch.
            }
            assertThat(expected).isEqualTo(outbox.durableSeq());
            assertThat(repositioned()).isZero();
            outbox.release();
        }

        private void apply(Step step) throws Exception {
            if (step instanceof Append a) {
                append(a);
            } else if (step instanceof Flush) {
                flush();
            } else if (step instanceof Fill) {
                disk.fill();
                full = true;
            } else if (step instanceof Free) {
                disk.free();
                full = false;
            } else if (step instanceof Persist) {
                persist();
            } else if (step instanceof Poll p) {
                poll(p.max());
            } else if (step instanceof Ack a) {
                long acked = outbox.acknowledgedSeq();
                outbox.acknowledge(acked + Math.max(0, expected - acked) * a.percent() / 100);
            } else if (step instanceof Rewind) {
                outbox.rewind();
                expected = outbox.acknowledgedSeq();
            } else if (step instanceof Restart) {
                restart();
            } else if (step instanceof Expire) {
                outbox.expire(Clock.systemUTC().millis() + 60_000, 1);
            }
        }

        private void append(Append a) throws InterruptedException {
            Random random = new Random(a.seed());
            for (int i = 0; i < a.count(); i++) {
                byte[] payload = new byte[1 + random.nextInt(200)];
                random.nextBytes(payload);
                if (unflushed + RecordCodec.HEADER_BYTES + payload.length > LIMITS.bufferBytes()) {
                    return;
                }
                unflushed += RecordCodec.HEADER_BYTES + payload.length;
                appended.put(outbox.append(OutboxRecord.READING, payload), payload);
            }
        }

        private void flush() throws IOException {
            long durableBefore = outbox.durableSeq();
            try {
                outbox.flush();
                unflushed = 0;
            } catch (IOException e) {
                if (!full) {
                    throw e;
                }
            }
            assertThat(outbox.durableSeq()).isGreaterThanOrEqualTo(durableBefore);
        }

        private void persist() throws IOException {
            try {
                outbox.persistAcknowledged();
            } catch (IOException e) {
                if (!full) {
                    throw e;
                }
            }
        }

        /** Polls once and checks the batch; returns its size. */
        private int poll(int max) throws Exception {
            long durable = outbox.durableSeq();
            long next = Math.max(expected, outbox.acknowledgedSeq());
            List<OutboxRecord> batch = outbox.poll(max, 1 << 20, 0, TimeUnit.MILLISECONDS);
            if (next < durable) {
                assertThat(batch).as("records %d..%d are durable and past the reader", next, durable - 1)
                        .isNotEmpty();
            }
            for (OutboxRecord r : batch) {
                assertThat(r.seq()).isEqualTo(next);
                assertThat(r.payload()).isEqualTo(appended.get(r.seq()));
                next++;
            }
            assertThat(next).isLessThanOrEqualTo(durable);
            expected = next;
            assertThat(repositioned()).isZero();
            return batch.size();
        }

        private void restart() throws IOException {
            long durable = outbox.durableSeq();
            assertThat(repositioned()).isZero();
            outbox.release();
            appended.tailMap(durable, true).clear();
            open();
            assertThat(outbox.durableSeq()).as("durable records after a restart").isEqualTo(durable);
            assertThat(outbox.acknowledgedSeq()).isLessThanOrEqualTo(durable);
        }

        private double repositioned() {
            return registry.get("limes.errors").tag("error_type", "reader_repositioned").counter().count();
        }
    }
}
