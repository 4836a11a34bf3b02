package org.limes.gateway.sink.centre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.outbox.TestQueues;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.source.MosquittoProcess;
import org.limes.gateway.testing.MqttTestSubscriber;

/**
 * The MQTT centre sink against a real Mosquitto with limits (issue 13 items 20 and 23): an
 * alert the broker can never take — larger than the maximum packet size it announces in its
 * CONNACK, or refused by its {@code message_size_limit} — is set aside in the centre's
 * dead-letter file and the alerts behind it are delivered, where it used to be retried for
 * ever; and a broker receive maximum below the sink's window sizes the window, where Paho used
 * to refuse the publishes beyond it ("Too many publishes in progress"). Skipped without Mosquitto.
 */
class CentreSinkLimitsIT {

    private static final String TOPIC = "limes/alerts/tripoli";
    private static final int LIMIT = 1000;

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<Alert> received = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private MosquittoProcess broker;
    private OutboxCommitter committer;
    private int port;

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (committer != null) {
            committer.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void anAlertAboveTheBrokersMaximumPacketSizeIsSetAsideUnsentAndTheNextOnesAreDelivered() throws Exception {
        start("max_packet_size " + LIMIT + "\n");
        DestinationQueue queue = TestQueues.open(dir, "tripoli", committer, registry);
        append(queue, "cnt-01");
        Alert big = append(queue, "cnt-" + "9".repeat(LIMIT));
        append(queue, "cnt-03");
        CentreSink sink = sink(queue);

        await().atMost(Duration.ofSeconds(15)).until(() -> received.size() == 2 && queue.depth() == 0);
        assertThat(received).extracting(Alert::device).containsExactly("cnt-01", "cnt-03");
        assertThat(sink.maxPacketSize()).isEqualTo(LIMIT);
        List<String> dead = Files.readAllLines(queue.deadLetters().file(OutboxRecord.ALERT));
        assertThat(dead).hasSize(2);
        assertThat(dead.get(0)).contains("reason=too_large", "id=" + big.eventId(),
                "maximum packet size is " + LIMIT + " bytes");
        assertThat(AlertJson.decode(dead.get(1).getBytes()).eventId()).isEqualTo(big.eventId());
        assertThat(queue.deadLetters().lastReason()).isEqualTo("too_large");
        // Set aside at once: never published, so never refused and never retried.
        assertThat(errors("refused") + errors("unacknowledged")).isZero();
    }

    @Test
    void anAlertTheBrokerRefusesForItsMessageSizeLimitIsSetAsideAndTheNextOnesAreDelivered() throws Exception {
        start("message_size_limit " + LIMIT + "\n");
        DestinationQueue queue = TestQueues.open(dir, "tripoli", committer, registry);
        append(queue, "cnt-01");
        Alert big = append(queue, "cnt-" + "9".repeat(LIMIT));
        append(queue, "cnt-03");
        append(queue, "cnt-04");
        sink(queue);

        // At least once: cnt-01 may come twice when its PUBACK was lost with the connection.
        await().atMost(Duration.ofSeconds(30)).until(() -> devices().size() == 3 && queue.depth() == 0);
        assertThat(devices()).containsExactly("cnt-01", "cnt-03", "cnt-04");
        List<String> dead = Files.readAllLines(queue.deadLetters().file(OutboxRecord.ALERT));
        assertThat(dead).hasSize(2);
        assertThat(dead.get(0)).contains("reason=refused", "id=" + big.eventId());
        assertThat(queue.deadLetters().count()).isEqualTo(1);
    }

    @Test
    void theWindowIsTheBrokersReceiveMaximumSoNoPublishIsRefusedAsTooManyInProgress() throws Exception {
        start("max_inflight_messages 2\n");
        DestinationQueue queue = TestQueues.open(dir, "tripoli", committer, registry);
        for (int n = 0; n < 100; n++) {
            append(queue, "cnt-" + n);
        }
        CentreSink sink = sink(queue);

        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 100 && queue.depth() == 0);
        assertThat(sink.window()).isEqualTo(2);
        assertThat(errors("unacknowledged")).isZero();
        assertThat(received).extracting(Alert::device).startsWith("cnt-0", "cnt-1", "cnt-2");
    }

    private void start(String limits) throws Exception {
        assumeTrue(MosquittoProcess.installed(), "Mosquitto not installed");
        port = MosquittoProcess.freePort();
        broker = MosquittoProcess.start(dir, """
                allow_anonymous true
                persistence false
                log_dest stderr
                listener %d 127.0.0.1
                %s""".formatted(port, limits), new InetSocketAddress("127.0.0.1", port));
        committer = new OutboxCommitter(2);
        committer.start();
        open.add(MqttTestSubscriber.start("tcp://127.0.0.1:" + port, "centre-ops", List.of("#"),
                (topic, message) -> received.add(AlertJson.decode(message.getPayload()))));
    }

    private CentreSink sink(DestinationQueue queue) {
        MqttCentreConfig config = new MqttCentreConfig("tripoli", "mqtt", null, null, TOPIC, 1, null, null, null,
                null, null, null, null, null, null);
        CentreSink sink = new CentreSink(config, "tcp://127.0.0.1:" + port, "ras-ajdir-gw", queue,
                new SinkMetrics(registry, "tripoli"), Clock.systemUTC());
        open.add(sink);
        sink.start();
        return sink;
    }

    private static Alert append(DestinationQueue queue, String device) throws InterruptedException {
        Instant raised = Instant.parse("2026-11-26T06:30:00Z");
        Alert a = Alert.builder()
                .alertId("queue-surge/" + device + "/" + raised.toEpochMilli())
                .rule("queue-surge")
                .state(AlertState.RAISED)
                .severity("critical")
                .site("ras-ajdir")
                .device(device)
                .subjectKind("device")
                .subject(device)
                .kind("vehicle_count")
                .field("count_total")
                .value(64.0)
                .threshold(40.0)
                .firstSeen(raised)
                .lastSeen(raised)
                .raisedAt(raised)
                .at(raised)
                .tags(Map.of("lane", "1"))
                .build();
        queue.append(OutboxRecord.ALERT, AlertJson.encode(a, "ras-ajdir-gw"));
        return a;
    }

    private List<String> devices() {
        return received.stream().map(Alert::device).distinct().toList();
    }

    private double errors(String errorType) {
        Counter c = registry.find("limes.errors").tags("component", "sink-tripoli", "error_type", errorType)
                .counter();
        return c == null ? 0 : c.count();
    }
}
