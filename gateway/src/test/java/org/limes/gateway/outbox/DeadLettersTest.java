package org.limes.gateway.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Setting a record aside: the queue advances past it, it is counted by destination and
 * reason, named by its event id (alerts) or measurement and device (readings), reaches the
 * set-aside emitter through the overflow-alert thread, and a full dead-letter file still lets
 * the queue advance, counting what it could not keep.
 */
class DeadLettersTest {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void anAlertSetAsideAdvancesTheQueueIsCountedAndReachesTheEmitter() throws Exception {
        List<DeadLetters.SetAside> heard = new CopyOnWriteArrayList<>();
        try (OverflowAlerts overflow = new OverflowAlerts(List.of("store", "tripoli"), d -> 0, 1000,
                System::currentTimeMillis, (d, raised, lost, at, now) -> { }, heard::add)) {
            overflow.start();
            DestinationQueue queue = open("tripoli", overflow, DeadLetters.DEFAULT_MAX_BYTES);
            queue.append(OutboxRecord.ALERT, bytes("{\"event_id\":\"queue-surge/cnt-01/1:raised\",\"rule\":"
                    + "\"queue-surge\"}"));
            queue.append(OutboxRecord.ALERT, bytes("{\"event_id\":\"queue-surge/cnt-02/2:raised\"}"));
            queue.alerts().flush();
            List<OutboxRecord> batch = queue.poll(10, 1 << 20, 0, TimeUnit.MILLISECONDS);

            queue.setAside(batch.get(0), "too_large", "707 bytes > 600");

            assertThat(queue.alerts().acknowledgedSeq()).isEqualTo(1);
            assertThat(queue.depth()).isEqualTo(1);
            assertThat(registry.get("limes.outbox.dead_lettered").tags("destination", "tripoli", "reason",
                    "too_large").counter().count()).isEqualTo(1);
            assertThat(queue.deadLetters().lastReason()).isEqualTo("too_large");
            await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 1);
            assertThat(heard.get(0).destination()).isEqualTo("tripoli");
            assertThat(heard.get(0).id()).isEqualTo("queue-surge/cnt-01/1:raised");
            assertThat(heard.get(0).rule()).isEqualTo("queue-surge");
            assertThat(heard.get(0).reason()).isEqualTo("too_large");
            List<String> file = Files.readAllLines(queue.deadLetters().file(OutboxRecord.ALERT));
            assertThat(file.get(0)).contains("reason=too_large", "detail=707 bytes > 600");
        }
    }

    @Test
    void aWatchlistHitsPlateIsMaskedInTheIdThatGoesToTheLogAndTheOtherCentres() {
        String json = "{\"event_id\":\"ras-ajdir/watch/ras-ajdir:1:5-123456/1764136800000:raised\","
                + "\"rule\":\"watch\",\"subject\":{\"kind\":\"plate\",\"id\":\"5-123456\"}}";
        String id = DeadLetters.describe(new OutboxRecord(1, OutboxRecord.ALERT, 0, bytes(json)));
        assertThat(id).isEqualTo("ras-ajdir/watch/ras-ajdir:1:<plate>/1764136800000:raised").doesNotContain("5-123456");

        String device = "{\"event_id\":\"ras-ajdir/surge/cnt-01/1:raised\",\"subject\":{\"kind\":\"device\","
                + "\"id\":\"cnt-01\"}}";
        assertThat(DeadLetters.describe(new OutboxRecord(2, OutboxRecord.ALERT, 0, bytes(device))))
                .isEqualTo("ras-ajdir/surge/cnt-01/1:raised");
    }

    @Test
    void aFullDeadLetterFileStillLetsTheQueueAdvanceAndCountsWhatItCouldNotKeep() throws Exception {
        DestinationQueue queue = open("store", DeadLetters.SetAsideListener.NONE, 1024);
        String line = "plc-x,device=lp-1 v=1 " + "1".repeat(300);
        for (int i = 0; i < 5; i++) {
            queue.append(OutboxRecord.READING, bytes(line));
        }
        queue.readings().flush();
        for (OutboxRecord r : queue.poll(10, 1 << 20, 0, TimeUnit.MILLISECONDS)) {
            queue.setAside(r, "client_error", "measurement name");
        }

        assertThat(queue.readings().acknowledgedSeq()).isEqualTo(5);
        assertThat(queue.deadLetters().count()).isEqualTo(5);
        assertThat(Files.size(queue.deadLetters().file(OutboxRecord.READING))).isLessThanOrEqualTo(1024);
        assertThat(Files.readAllLines(queue.deadLetters().file(OutboxRecord.READING)).get(0))
                .contains("id=plc-x device=lp-1");
        assertThat(registry.get("limes.dropped").tags("component", "outbox-store", "reason", "dead_letter_full")
                .counter().count()).isEqualTo(3);
    }

    private DestinationQueue open(String name, DeadLetters.SetAsideListener listener, long maxBytes)
            throws Exception {
        Outbox alerts = Outbox.open(name + "/alerts", dir.resolve(name).resolve("alerts"), OutboxLimits.defaults(),
                new OutboxMetrics(registry, name, "alert"));
        Outbox readings = Outbox.open(name + "/readings", dir.resolve(name).resolve("readings"),
                OutboxLimits.defaults(), new OutboxMetrics(registry, name, "reading"));
        DeadLetters deadLetters = new DeadLetters(name, dir.resolve(name).resolve("dead-letters"), maxBytes, registry,
                Clock.systemUTC(), listener);
        return new DestinationQueue(name, alerts, readings, 0, Clock.systemUTC(), deadLetters);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
