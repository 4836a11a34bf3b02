package org.limes.simulator.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.simulator.Main;
import org.limes.simulator.transport.mqtt.QuietMqttCallback;
import picocli.CommandLine;

/**
 * Runs fleets against a real embedded HiveMQ broker and checks what a subscriber receives.
 * The broker's per-client queue is raised from HiveMQ's default of 1000 (discarding beyond
 * it) so that the burst test's subscriber, not the simulator, is never what loses messages.
 */
class CounterFleetIT {

    @TempDir
    static Path brokerHome;

    private static EmbeddedHiveMQ broker;
    private static String brokerUri;

    private final Driver driver = Drivers.load().create("counter-json", DriverOptions.empty());
    private final Queue<Received> received = new ConcurrentLinkedQueue<>();
    private MqttAsyncClient subscriber;

    private record Received(String topic, byte[] payload) {
    }

    @BeforeAll
    static void startBroker() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path conf = Files.createDirectories(brokerHome.resolve("conf"));
        Files.writeString(conf.resolve("config.xml"), """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tcp-listener>
                      <port>%d</port>
                      <bind-address>127.0.0.1</bind-address>
                    </tcp-listener>
                  </listeners>
                  <mqtt>
                    <queued-messages><max-queue-size>100000</max-queue-size></queued-messages>
                  </mqtt>
                  <persistence><mode>in-memory</mode></persistence>
                  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                </hivemq>
                """.formatted(port), StandardCharsets.UTF_8);
        broker = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(Files.createDirectories(brokerHome.resolve("data")))
                .withExtensionsFolder(Files.createDirectories(brokerHome.resolve("extensions")))
                .withoutLoggingBootstrap()
                .build();
        broker.start().get(60, TimeUnit.SECONDS);
        brokerUri = "tcp://127.0.0.1:" + port;
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.stop().get(30, TimeUnit.SECONDS);
            broker.close();
        }
    }

    @BeforeEach
    void subscribe() throws MqttException {
        subscriber = new MqttAsyncClient(brokerUri, "it-subscriber-" + System.nanoTime(), new MemoryPersistence());
        subscriber.setCallback(new QuietMqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new Received(topic, message.getPayload()));
            }
        });
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        subscriber.connect(options).waitForCompletion(10_000);
        subscriber.subscribe("crossing/#", 1).waitForCompletion(10_000);
    }

    @AfterEach
    void unsubscribe() throws MqttException {
        if (subscriber.isConnected()) {
            subscriber.disconnect().waitForCompletion(5_000);
        }
        subscriber.close();
    }

    @Test
    void everyMessageIsAcknowledgedReceivedAndDecodes() throws Exception {
        CounterFleet.Options options = new CounterFleet.Options(brokerUri, 4, 100, Duration.ofSeconds(2), 7,
                "ras-ajdir", "cnt", "crossing", 1, "cnt-01", Duration.ofMillis(500), Duration.ofMillis(1500));

        FleetResult result = new CounterFleet().run(options, Clock.systemUTC(), ProgressListener.NONE);

        assertThat(result.sent()).isEqualTo(200);
        assertThat(result.acknowledged()).isEqualTo(result.sent());
        assertThat(result.failed()).isZero();
        assertThat(result.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= result.sent());
        assertThat(received).hasSize((int) result.sent());

        Map<String, List<Reading>> byDevice = decodeByDevice();
        assertThat(byDevice).containsOnlyKeys("cnt-01", "cnt-02", "cnt-03", "cnt-04");
        assertThat(byDevice.values()).allSatisfy(readings -> assertThat(readings).hasSize(50));
        assertThat(byDevice.get("cnt-01")).anySatisfy(r -> assertThat(r.number("count_total")).isGreaterThanOrEqualTo(50));
        assertThat(byDevice.get("cnt-02")).allSatisfy(r -> assertThat(r.number("count_total")).isLessThanOrEqualTo(15));
        assertThat(received).allSatisfy(m -> assertThat(m.topic()).startsWith("crossing/ras-ajdir/counter/cnt-0"));
    }

    @Test
    void deviceTimesStrictlyIncreasePerDeviceEvenWhenTheClockStandsStill() throws Exception {
        Instant frozen = Instant.parse("2026-03-01T12:00:00.123456Z");
        CounterFleet.Options options = new CounterFleet.Options(brokerUri, 3, 200, Duration.ofMillis(300), 1,
                "frozen", "cnt", "crossing", 1, null, null, null);

        FleetResult result = new CounterFleet().run(options, Clock.fixed(frozen, ZoneOffset.UTC), ProgressListener.NONE);

        assertThat(result.acknowledged()).isEqualTo(60).isEqualTo(result.sent());
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 60);
        Map<String, List<Reading>> byDevice = decodeByDevice();
        for (List<Reading> readings : byDevice.values()) {
            for (int i = 0; i < readings.size(); i++) {
                assertThat(readings.get(i).deviceTime()).isEqualTo(Instant.parse("2026-03-01T12:00:00.123Z").plusMillis(i));
            }
        }
    }

    @Test
    void burstsFarBeyondTheBrokersReceiveMaximumAreWindowedNotRefused() throws Exception {
        CounterFleet.Options options = new CounterFleet.Options(brokerUri, 8, 3000, Duration.ofSeconds(1), 1,
                "burst", "cnt", "crossing", 1, null, null, null);

        FleetResult result = new CounterFleet().run(options, Clock.systemUTC(), ProgressListener.NONE);

        assertThat(result.sent()).isEqualTo(3000);
        assertThat(result.acknowledged()).isEqualTo(3000);
        assertThat(result.failed()).isZero();
        await().atMost(Duration.ofSeconds(20)).alias("subscriber received all 3000")
                .until(() -> received.size() >= 3000);
        assertThat(received).hasSize(3000);
    }

    @Test
    void aLongRunReportsProgressAndStopsEarlyWithEverythingSentAcknowledged() throws Exception {
        CounterFleet fleet = new CounterFleet();
        Queue<FleetProgress> progress = new ConcurrentLinkedQueue<>();
        CounterFleet.Options options = new CounterFleet.Options(brokerUri, 2, 50, Duration.ofMinutes(10), 1,
                "stopped", "cnt", "crossing", 1, null, null, null);
        CompletableFuture<FleetResult> run = CompletableFuture.supplyAsync(() -> {
            try {
                return fleet.run(options, Clock.systemUTC(), progress::add);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        await().atMost(CounterFleet.PROGRESS_PERIOD.plusSeconds(10)).until(() -> !progress.isEmpty());
        fleet.stop();
        FleetResult result = run.get(20, TimeUnit.SECONDS);

        FleetProgress first = progress.peek();
        assertThat(first.sent()).isPositive();
        assertThat(first.elapsed()).isGreaterThanOrEqualTo(CounterFleet.PROGRESS_PERIOD);
        assertThat(first.remaining()).isLessThan(options.duration());
        assertThat(result.sent()).isBetween(first.sent(), options.plannedMessages() - 1);
        assertThat(result.acknowledged()).isEqualTo(result.sent());
        assertThat(fleet.isStopped()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= result.sent());
    }

    @Test
    void theRunCommandEndsWithAJsonSummary() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));

        int code = cmd.execute("run", "--broker", brokerUri, "--devices", "3", "--rate", "50", "--duration", "1s",
                "--site", "cli", "--client-id", "it-cli", "--json");

        assertThat(code).as(err::toString).isZero();
        String[] lines = out.toString().strip().split("\\R");
        JsonNode summary = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertThat(summary.get("sent").asLong()).isEqualTo(50);
        assertThat(summary.get("acknowledged").asLong()).isEqualTo(50);
        assertThat(summary.get("failed").asLong()).isZero();
        assertThat(err.toString()).contains("sent 50, acknowledged 50, failed 0");
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 50);
        assertThat(received).allSatisfy(m -> assertThat(m.topic()).startsWith("crossing/cli/counter/cnt-0"));
    }

    private Map<String, List<Reading>> decodeByDevice() throws Exception {
        Map<String, List<Reading>> byDevice = new HashMap<>();
        for (Received m : received) {
            List<Reading> readings = driver.decode(new Frame(m.payload(), "mqtt", m.topic(), Instant.now()));
            assertThat(readings).hasSize(1);
            Reading r = readings.get(0);
            assertThat(r.kind()).isEqualTo("vehicle_count");
            assertThat(m.topic()).endsWith("/counter/" + r.deviceId());
            byDevice.computeIfAbsent(r.deviceId(), k -> new ArrayList<>()).add(r);
        }
        return byDevice;
    }
}
