package org.limes.gateway.sink.centre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.Outbox;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxLimits;
import org.limes.gateway.outbox.OutboxMetrics;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.sink.SinkMetrics;

/** The CoT sink against a plain TCP server socket in the test, reading events line by line. */
class CotSinkIT {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private ServerSocket server;
    private Thread acceptor;
    private Outbox outbox;
    private DestinationQueue queue;
    private OutboxCommitter committer;
    private CotSink sink;

    @BeforeEach
    void start() throws IOException {
        outbox = Outbox.open("tak", dir.resolve("outbox"), OutboxLimits.defaults(), new OutboxMetrics(registry, "tak"));
        committer = new OutboxCommitter(2);
        committer.register(outbox);
        Outbox readings = Outbox.open("tak/readings", dir.resolve("readings"), OutboxLimits.defaults(),
                new OutboxMetrics(registry, "tak", "reading"));
        committer.register(readings);
        queue = new DestinationQueue("tak", outbox, readings, 0);
        committer.start();
        server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws Exception {
        if (sink != null) {
            sink.close();
        }
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
        if (acceptor != null) {
            acceptor.join(5_000);
        }
        committer.close();
    }

    /** Accepts connections one after another; the first one is closed after {@code closeFirstAfter} events. */
    private void serve(int closeFirstAfter, CountDownLatch firstClosed) {
        acceptor = new Thread(() -> {
            int connection = 0;
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    accepted.add(s);
                    connection++;
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.UTF_8));
                    int n = 0;
                    for (String line; (line = in.readLine()) != null; ) {
                        events.add(line);
                        if (connection == 1 && ++n == closeFirstAfter) {
                            break;
                        }
                    }
                    if (connection == 1) {
                        firstClosed.countDown();
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-tak-server");
        acceptor.start();
    }

    private CotCentreConfig config() {
        return new CotCentreConfig("tak", "cot", null, "127.0.0.1", server.getLocalPort(), null, 2000, null, null, null);
    }

    private void append(int n, AlertState state) throws InterruptedException {
        Instant raised = Instant.parse("2026-11-26T06:30:00Z").plusSeconds(n);
        Alert a = Alert.builder()
                .alertId("queue-surge/cnt-0" + n + "/" + raised.toEpochMilli())
                .rule("queue-surge")
                .state(state)
                .severity("critical")
                .site("ras-ajdir")
                .device("cnt-0" + n)
                .subjectKind("device")
                .subject("cnt-0" + n)
                .kind("vehicle_count")
                .field("count_total")
                .value(64.0)
                .threshold(40.0)
                .firstSeen(raised)
                .lastSeen(state == AlertState.RAISED ? raised : raised.plusSeconds(600))
                .raisedAt(raised)
                .at(state == AlertState.RAISED ? raised : raised.plusSeconds(600))
                .tags(Map.of("lat", "32.88", "lon", "11.55"))
                .build();
        outbox.append(OutboxRecord.ALERT, AlertJson.encode(a, "ras-ajdir-gw"));
    }

    @Test
    void eventsStreamInOrderAndAreAcknowledgedAfterTheConfirmationDelay() throws Exception {
        serve(Integer.MAX_VALUE, new CountDownLatch(1));
        append(1, AlertState.RAISED);
        append(2, AlertState.RAISED);
        append(1, AlertState.CLEARED);
        sink = new CotSink(config(), "ras-ajdir-gw", queue, new SinkMetrics(registry, "tak"), Clock.systemUTC(), 300);
        sink.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 3);
        assertThat(events.get(0)).startsWith("<event version=\"2.0\" uid=\"limes:ras-ajdir-gw:queue-surge/cnt-01/")
                .contains("type=\"b-a-o-c\"").contains("<point lat=\"32.88\" lon=\"11.55\"").endsWith("</event>");
        assertThat(events.get(1)).contains("cnt-02");
        assertThat(events.get(2)).contains("state=\"cleared\"");
        await().atMost(Duration.ofSeconds(10)).until(() -> outbox.acknowledgedSeq() == 3);
        assertThat(registry.get("limes.sink.delivered").counter().count()).isEqualTo(3);
    }

    @Test
    void eventsNotYetConfirmedAreSentAgainAfterTheServerDropsTheConnection() throws Exception {
        CountDownLatch firstClosed = new CountDownLatch(1);
        serve(1, firstClosed);
        append(1, AlertState.RAISED);
        // A long confirmation delay: nothing is acknowledged before the drop is seen.
        sink = new CotSink(config(), "ras-ajdir-gw", queue, new SinkMetrics(registry, "tak"), Clock.systemUTC(),
                60_000);
        sink.start();
        assertThat(firstClosed.await(10, TimeUnit.SECONDS)).isTrue();
        append(2, AlertState.RAISED);

        await().atMost(Duration.ofSeconds(15)).until(() -> events.stream().filter(e -> e.contains("cnt-02")).count()
                == 1);
        // The first event was written on the connection that dropped, so it was sent again on the next one.
        assertThat(events.stream().filter(e -> e.contains("cnt-01")).count()).isEqualTo(2);
        assertThat(events.indexOf(events.stream().filter(e -> e.contains("cnt-02")).findFirst().orElseThrow()))
                .isGreaterThan(1);
        assertThat(outbox.acknowledgedSeq()).isZero();
        assertThat(registry.find("limes.errors").tag("error_type", "unavailable").counter().count()).isPositive();
    }
}
