package org.limes.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.Outbox;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxLimits;
import org.limes.gateway.outbox.OutboxMetrics;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.outbox.TestQueues;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.rules.AlertStateStore;
import org.limes.gateway.rules.DeadmanRuleConfig;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.rules.RuleMetrics;
import org.limes.gateway.rules.TestClock;
import org.limes.gateway.rules.ThresholdRuleConfig;
import org.limes.gateway.privacy.PlatePseudonymiser;
import org.limes.gateway.rules.Watchlist;
import org.limes.gateway.rules.WatchlistRuleConfig;

class PipelineTest {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Driver driver = Drivers.load().create("counter-json", DriverOptions.empty());
    private OutboxCommitter committer;
    private DestinationQueue store;
    private DestinationQueue tripoli;
    private DestinationQueue benghazi;
    private DestinationQueue partner;
    private Pipeline pipeline;
    private Inventory inventory;
    private final TestClock clock = new TestClock(Instant.parse("2026-11-26T06:01:00Z"));
    private static final ThresholdRuleConfig SURGE = new ThresholdRuleConfig("queue-surge", "vehicle_count",
            "count_total", 40.0, 20.0, "warning");

    @BeforeEach
    void start() throws Exception {
        committer = new OutboxCommitter(2);
        store = open("store");
        tripoli = open("tripoli");
        benghazi = open("benghazi");
        partner = open("partner");
        committer.start();
        inventory = new Inventory(new InventoryConfig(null, null, List.of(
                new DeviceConfig("cnt-01", "ras-ajdir", "counter", "1", new DeviceConfig.Location(32.88, 11.55),
                        Map.of(), "2m"),
                new DeviceConfig("cnt-02", "ras-ajdir", "counter", "2", null, Map.of(), "2m"))));
        pipeline = pipeline(List.of(SURGE));
        pipeline.start();
    }

    private Pipeline pipeline(List<RuleConfig> rules) throws Exception {
        RuleMetrics ruleMetrics = new RuleMetrics(registry);
        return Pipeline.builder().gateway("gw").config(new PipelineConfig(2, 16)).limits(LimitsConfig.defaults())
                .inventory(inventory).rules(rules).clock(clock)
                .alertState(new AlertStateStore(dir.resolve("alerts"), "gw", ruleMetrics)).ruleMetrics(ruleMetrics)
                .store(new Destination(store, Routing.ALL))
                .centres(List.of(new Destination(tripoli, Routing.ALL),
                        new Destination(benghazi, new Routing(null, List.of("warning", "critical"), null, null)),
                        new Destination(partner, new Routing(List.of("cross-border-intrusion"), null, null, null))))
                .committer(committer).metrics(new PipelineMetrics(registry)).build();
    }

    @AfterEach
    void stop() {
        pipeline.close();
        committer.close();
    }

    private DestinationQueue open(String name) throws Exception {
        return TestQueues.open(dir, name, committer, registry);
    }

    private static Frame frame(String device, int car, int second) {
        String json = "{\"device\":\"" + device + "\",\"time\":\"2026-11-26T06:00:" + String.format("%02d", second)
                + "Z\",\"lane\":\"1\",\"direction\":\"inbound\",\"interval_s\":60,\"counts\":{\"car\":" + car + "}}";
        return new Frame(json.getBytes(StandardCharsets.UTF_8), "test", "crossing/x/counter/" + device,
                Instant.parse("2026-11-26T06:01:00Z"));
    }

    private static Frame raw(String text) {
        return new Frame(text.getBytes(StandardCharsets.UTF_8), "test", "crossing/x/counter/bad",
                Instant.parse("2026-11-26T06:01:00Z"));
    }

    @Test
    void goodFramesAroundMalformedOnesAreStoredAndEveryFrameIsAcknowledged() throws Exception {
        AtomicInteger acked = new AtomicInteger();
        pipeline.submit(frame("cnt-01", 5, 0), driver, acked::incrementAndGet);
        pipeline.submit(raw("{\"device\": broken"), driver, acked::incrementAndGet);
        pipeline.submit(frame("cnt-02", 7, 1), driver, acked::incrementAndGet);
        pipeline.submit(raw("{\"device\":\"cnt-01\",\"time\":\"2026-11-26T06:00:00Z\",\"lane\":\"1\","
                + "\"direction\":\"sideways\",\"interval_s\":60,\"counts\":{\"car\":1}}"), driver,
                acked::incrementAndGet);
        pipeline.submit(frame("cnt-01", 6, 2), driver, acked::incrementAndGet);

        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 5);
        List<String> lines = texts(drain(store));
        assertThat(lines).hasSize(3);
        assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("vehicle_count,").contains("site=ras-ajdir"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("device=cnt-01").contains("lat=32.88")
                .contains("count_total=6i"));
        assertThat(registry.get("limes.errors").tag("component", "driver-counter-json").counters())
                .hasSize(2);
        assertThat(registry.get("limes.readings.decoded").counter().count()).isEqualTo(3.0);
    }

    @Test
    void malformedFramesAreLogRateLimitedPerSourceAndPeerNotPerPeerAlone() throws Exception {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                Pipeline.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        log.addAppender(logs);
        try {
            AtomicInteger acked = new AtomicInteger();
            Instant at = Instant.parse("2026-11-26T06:01:00Z");
            byte[] bad = "{\"device\": broken".getBytes(StandardCharsets.UTF_8);
            pipeline.submit(new Frame(bad, "radar-tcp", "127.0.0.1", at), driver, acked::incrementAndGet);
            pipeline.submit(new Frame(bad, "radar-tcp", "127.0.0.1", at), driver, acked::incrementAndGet);
            pipeline.submit(new Frame(bad, "radar-udp", "127.0.0.1", at), driver, acked::incrementAndGet);
            await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 3);
            assertThat(logs.list).filteredOn(e -> e.getFormattedMessage().startsWith("dropped a malformed"))
                    .extracting(e -> e.getFormattedMessage().contains("(radar-tcp)") ? "tcp" : "udp")
                    .as("once per source and peer within the minute").containsExactly("tcp", "udp");
        } finally {
            log.detachAppender(logs);
        }
    }

    @Test
    void unknownDevicesAreDroppedAndCounted() throws Exception {
        AtomicInteger acked = new AtomicInteger();
        pipeline.submit(frame("cnt-99", 5, 0), driver, acked::incrementAndGet);
        pipeline.submit(frame("cnt-01", 5, 1), driver, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 2);
        assertThat(texts(drain(store))).hasSize(1).allSatisfy(l -> assertThat(l).contains("device=cnt-01"));
        assertThat(registry.get("limes.dropped").tag("reason", "unknown_device").counter().count()).isEqualTo(1.0);
    }

    @Test
    void aSurgeRaisesOnceAndClearsOnceAtBothCentres() throws Exception {
        AtomicInteger acked = new AtomicInteger();
        int[] counts = {10, 50, 60, 30, 55, 10, 12};
        for (int i = 0; i < counts.length; i++) {
            pipeline.submit(frame("cnt-01", counts[i], i), driver, acked::incrementAndGet);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == counts.length);

        for (DestinationQueue centre : List.of(tripoli, benghazi)) {
            List<OutboxRecord> records = drain(centre);
            assertThat(records).hasSize(2).allSatisfy(r -> assertThat(r.type()).isEqualTo(OutboxRecord.ALERT));
            Alert raised = AlertJson.decode(records.get(0).payload());
            Alert cleared = AlertJson.decode(records.get(1).payload());
            assertThat(raised.state()).isEqualTo(AlertState.RAISED);
            assertThat(raised.value()).isEqualTo(50.0);
            assertThat(raised.site()).isEqualTo("ras-ajdir");
            assertThat(cleared.state()).isEqualTo(AlertState.CLEARED);
            assertThat(cleared.value()).isEqualTo(10.0);
            assertThat(cleared.alertId()).isEqualTo(raised.alertId());
        }
        assertThat(drain(partner)).as("a centre routed to other rules receives none of these").isEmpty();
        List<String> storeLines = texts(drain(store));
        assertThat(storeLines).filteredOn(l -> l.startsWith("alert,")).hasSize(2);
        assertThat(storeLines).filteredOn(l -> l.startsWith("vehicle_count,")).hasSize(counts.length);
        assertThat(registry.get("limes.alerts").tag("state", "raised").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("limes.alerts").tag("state", "cleared").counter().count()).isEqualTo(1.0);
    }

    @Test
    void aWatchlistPlateReadByTwoCamerasOfOneLaneOnTwoShardsIsOnePassage() throws Exception {
        pipeline.close();
        assertThat(Math.floorMod("anpr-1a".hashCode(), 2)).as("the cameras sit on different shards")
                .isNotEqualTo(Math.floorMod("anpr-1b".hashCode(), 2));
        inventory = new Inventory(new InventoryConfig(null, null, List.of(
                new DeviceConfig("anpr-1a", "ras-ajdir", "camera", "1", null, Map.of(), null),
                new DeviceConfig("anpr-1b", "ras-ajdir", "camera", "1", null, Map.of(), null),
                new DeviceConfig("anpr-2", "ras-ajdir", "camera", "2", null, Map.of(), null))));
        Path list = dir.resolve("plates.txt");
        Files.writeString(list, "5-123456,stolen vehicle\n");
        WatchlistRuleConfig watch = WatchlistRuleConfig.of("plates", list.toString(), null, "30s", null, null)
                .withList(list.toString(), Watchlist.read(list, false));
        pipeline = pipeline(List.of(watch));
        pipeline.start();
        Driver camera = Drivers.load().create("camera-json", DriverOptions.empty());
        AtomicInteger acked = new AtomicInteger();
        pipeline.submit(anpr("anpr-1a", "5-123456", 0), camera, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 1);
        clock.advance(Duration.ofSeconds(2));
        pipeline.submit(anpr("anpr-1b", "5 123456", 2), camera, acked::incrementAndGet);
        pipeline.submit(anpr("anpr-1b", "5-999999", 3), camera, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 3);

        List<OutboxRecord> raised = drain(tripoli);
        assertThat(raised).as("one passage, one alert").singleElement().satisfies(r -> {
            Alert a = AlertJson.decode(r.payload());
            assertThat(a.state()).isEqualTo(AlertState.RAISED);
            assertThat(a.subject()).isEqualTo("5123456");
            assertThat(a.tags()).containsEntry("camera", "anpr-1a").containsEntry("lane", "1")
                    .containsEntry("reason", "stolen vehicle");
        });

        pipeline.submit(anpr("anpr-2", "5-123456", 4), camera, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 4);
        assertThat(drain(tripoli)).as("another lane is another passage").singleElement()
                .satisfies(r -> assertThat(AlertJson.decode(r.payload()).tags()).containsEntry("lane", "2"));

        clock.advance(Duration.ofSeconds(40));
        List<Alert> cleared = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (OutboxRecord r : drain(tripoli)) {
                cleared.add(AlertJson.decode(r.payload()));
            }
            return cleared.size() == 2;
        });
        assertThat(cleared).extracting(Alert::state).containsOnly(AlertState.CLEARED);
        assertThat(cleared).filteredOn(a -> "1".equals(a.tags().get("lane"))).singleElement()
                .satisfies(a -> assertThat(a.value()).as("reads in the passage").isEqualTo(2.0));
    }

    @Test
    void eachDestinationGetsPlatesAsItsClearanceAllows() throws Exception {
        pipeline.close();
        inventory = new Inventory(new InventoryConfig(null, null, List.of(
                new DeviceConfig("anpr-2", "ras-ajdir", "camera", "2", null, Map.of(), null))));
        Path list = dir.resolve("plates.txt");
        Files.writeString(list, "5-123456,stolen vehicle\n");
        WatchlistRuleConfig watch = WatchlistRuleConfig.of("plates", list.toString(), null, "30s", null, null)
                .withList(list.toString(), Watchlist.read(list, false));
        PlatePseudonymiser storeKey = new PlatePseudonymiser("s".repeat(32).getBytes(StandardCharsets.UTF_8));
        PlatePseudonymiser benghaziKey = new PlatePseudonymiser("b".repeat(32).getBytes(StandardCharsets.UTF_8));
        RuleMetrics ruleMetrics = new RuleMetrics(registry);
        // The store and Benghazi get hashes (each with its own key); Tripoli, with clearance, plain plates.
        pipeline = Pipeline.builder().gateway("gw").config(new PipelineConfig(2, 16)).limits(LimitsConfig.defaults())
                .inventory(inventory).rules(List.of(watch)).clock(clock)
                .alertState(new AlertStateStore(dir.resolve("alerts"), "gw", ruleMetrics)).ruleMetrics(ruleMetrics)
                .store(new Destination(store, Routing.ALL, storeKey))
                .centres(List.of(new Destination(tripoli, Routing.ALL),
                        new Destination(benghazi, Routing.ALL, benghaziKey)))
                .committer(committer).metrics(new PipelineMetrics(registry)).build();
        pipeline.start();
        AtomicInteger acked = new AtomicInteger();
        pipeline.submit(anpr("anpr-2", "5-123456", 0), Drivers.load().create("camera-json", DriverOptions.empty()),
                acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 1);

        Alert plain = AlertJson.decode(drain(tripoli).get(0).payload());
        assertThat(plain.subject()).isEqualTo("5123456");
        assertThat(plain.tags()).containsEntry("plate", "5-123456").containsEntry("match", "5123456");

        String hashed = texts(drain(benghazi)).get(0);
        assertThat(hashed).doesNotContain("123456").contains(benghaziKey.hash("5123456"));
        Alert pseudonymous = AlertJson.decode(hashed.getBytes(StandardCharsets.UTF_8));
        assertThat(pseudonymous.subject()).isEqualTo(benghaziKey.hash("5123456"));
        assertThat(pseudonymous.tags()).containsEntry("plate", benghaziKey.hash("5-123456"))
                .containsEntry("camera", "anpr-2").containsEntry("reason", "stolen vehicle");
        assertThat(pseudonymous.alertId()).isEqualTo(plain.alertId().replace("5123456", benghaziKey.hash("5123456")));

        List<String> stored = texts(drain(store));
        assertThat(stored).as("the reading and the alert line").hasSize(2).noneMatch(l -> l.contains("123456"));
        assertThat(stored).anyMatch(l -> l.startsWith("alert,") && l.contains(storeKey.hash("5123456")));
    }

    private static Frame anpr(String device, String plate, int second) {
        String json = "{\"type\":\"anpr_read\",\"device\":\"" + device + "\",\"time\":\"2026-11-26T06:00:"
                + String.format("%02d", second) + "Z\",\"plate\":\"" + plate + "\",\"confidence_pct\":97.5,\"direction\":\"inbound\"}";
        return new Frame(json.getBytes(StandardCharsets.UTF_8), "test", "crossing/x/camera/" + device,
                Instant.parse("2026-11-26T06:01:00Z"));
    }

    @Test
    void acknowledgementWaitsUntilTheRecordsAreDurable() throws Exception {
        committer.close();
        AtomicInteger acked = new AtomicInteger();
        OutboxCommitter stalled = new OutboxCommitter(1);
        Outbox o = Outbox.open("slow", dir.resolve("slow"), OutboxLimits.defaults(),
                new OutboxMetrics(registry, "slow"));
        Outbox oa = Outbox.open("slow-alerts", dir.resolve("slow-alerts"), OutboxLimits.defaults(),
                new OutboxMetrics(registry, "slow-alerts"));
        stalled.register(o);
        stalled.register(oa);
        RuleMetrics ruleMetrics = new RuleMetrics(new SimpleMeterRegistry());
        Pipeline p = Pipeline.builder().gateway("gw").config(new PipelineConfig(1, 16))
                .limits(LimitsConfig.defaults()).inventory(new Inventory(new InventoryConfig("accept", "s", List.of())))
                .clock(clock).alertState(new AlertStateStore(dir.resolve("slow-state"), "gw", ruleMetrics))
                .ruleMetrics(ruleMetrics).store(new Destination(new DestinationQueue("slow", oa, o, 0), Routing.ALL))
                .committer(stalled).metrics(new PipelineMetrics(new SimpleMeterRegistry())).build();
        p.start();
        try {
            p.submit(frame("cnt-01", 5, 0), driver, acked::incrementAndGet);
            await().atMost(Duration.ofSeconds(10)).until(() -> o.nextSeq() == 1);
            assertThat(acked.get()).as("not acknowledged before the committer made it durable").isZero();
            assertThat(o.durableSeq()).isZero();
            stalled.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 1);
            assertThat(o.durableSeq()).isEqualTo(1);
        } finally {
            p.close();
            stalled.close();
        }
    }

    @Test
    void anOpenAlertSurvivesARestartWithoutFiringAgainAndItsClearCarriesItsId() throws Exception {
        AtomicInteger acked = new AtomicInteger();
        pipeline.submit(frame("cnt-01", 50, 0), driver, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 1);
        Alert raised = AlertJson.decode(drain(tripoli).get(0).payload());
        assertThat(raised.state()).isEqualTo(AlertState.RAISED);
        pipeline.close();

        pipeline = pipeline(List.of(SURGE));
        pipeline.start();
        pipeline.submit(frame("cnt-01", 60, 1), driver, acked::incrementAndGet);
        pipeline.submit(frame("cnt-01", 55, 2), driver, acked::incrementAndGet);
        pipeline.submit(frame("cnt-01", 3, 3), driver, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 4);

        for (DestinationQueue centre : List.of(tripoli, benghazi)) {
            List<Alert> after = new ArrayList<>();
            for (OutboxRecord r : drain(centre)) {
                after.add(AlertJson.decode(r.payload()));
            }
            if (centre == benghazi) {
                assertThat(after.get(0).eventId()).isEqualTo(raised.eventId());
                after.remove(0);
            }
            assertThat(after).as("after the restart, %s gets only the clear", centre.destination())
                    .singleElement().satisfies(c -> {
                        assertThat(c.state()).isEqualTo(AlertState.CLEARED);
                        assertThat(c.alertId()).isEqualTo(raised.alertId());
                        assertThat(c.value()).isEqualTo(3.0);
                    });
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(AlertJson.decodeAll(Files.readAllBytes(dir.resolve("alerts/open.json")))).isEmpty());
    }

    @Test
    void aDevicesLastReportIsSavedAndKeptAcrossARestart() throws Exception {
        AtomicInteger acked = new AtomicInteger();
        long heardAt = clock.millis();
        pipeline.submit(frame("cnt-01", 5, 0), driver, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 1);
        // A first report is saved at the shard's next tick, not on the reading.
        clock.advance(Duration.ofSeconds(1));
        Path heard = dir.resolve("alerts/heard.json");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(new AlertStateStore(dir.resolve("alerts"), "gw", new RuleMetrics(new SimpleMeterRegistry()))
                        .loadLastHeard()).containsEntry("cnt-01", heardAt));
        pipeline.close();

        // The next start-up restores the time and saves it again unchanged (not as armed).
        clock.advance(Duration.ofMinutes(10));
        pipeline = pipeline(List.of(SURGE));
        Files.delete(heard);
        Files.deleteIfExists(dir.resolve("alerts/armed.json"));
        pipeline.start();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            AlertStateStore state = new AlertStateStore(dir.resolve("alerts"), "gw",
                    new RuleMetrics(new SimpleMeterRegistry()));
            assertThat(state.loadLastHeard()).containsEntry("cnt-01", heardAt);
            assertThat(state.loadArmed()).isNotEmpty().doesNotContainKey("cnt-01");
        });
    }

    @Test
    void aRestartWithTheRuleGoneClearsItsOpenAlert() throws Exception {
        AtomicInteger acked = new AtomicInteger();
        pipeline.submit(frame("cnt-02", 50, 0), driver, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 1);
        Alert raised = AlertJson.decode(drain(tripoli).get(0).payload());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Files.readString(dir.resolve("alerts/open.json")))
                        .contains(raised.alertId()));
        pipeline.close();

        pipeline = pipeline(List.of());
        pipeline.start();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<OutboxRecord> records = drain(tripoli);
            assertThat(records).hasSize(1);
            Alert cleared = AlertJson.decode(records.get(0).payload());
            assertThat(cleared.state()).isEqualTo(AlertState.CLEARED);
            assertThat(cleared.alertId()).isEqualTo(raised.alertId());
            assertThat(cleared.reason()).isEqualTo("rule_removed");
        });
    }

    @Test
    void deadmanRaisesOnTheShardTickForADeviceNeverHeardAndClearsWhenItReports() throws Exception {
        pipeline.close();
        pipeline = pipeline(List.of(new DeadmanRuleConfig("silent", null, "critical")));
        pipeline.start();

        clock.advance(Duration.ofSeconds(119));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> tripoli.alerts().nextSeq() == 0);
        clock.advance(Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(10)).until(() -> tripoli.alerts().nextSeq() == 2);
        List<Alert> raised = new ArrayList<>();
        for (OutboxRecord r : drain(tripoli)) {
            raised.add(AlertJson.decode(r.payload()));
        }
        assertThat(raised).extracting(Alert::subject).containsExactlyInAnyOrder("cnt-01", "cnt-02");
        assertThat(raised).allSatisfy(a -> {
            assertThat(a.state()).isEqualTo(AlertState.RAISED);
            assertThat(a.value()).isEqualTo(121.0);
            assertThat(a.threshold()).isEqualTo(120.0);
        });

        AtomicInteger acked = new AtomicInteger();
        pipeline.submit(frame("cnt-01", 5, 0), driver, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 1);
        List<OutboxRecord> records = drain(tripoli);
        assertThat(records).hasSize(1);
        Alert cleared = AlertJson.decode(records.get(0).payload());
        assertThat(cleared.state()).isEqualTo(AlertState.CLEARED);
        assertThat(cleared.subject()).isEqualTo("cnt-01");
        assertThat(cleared.alertId()).isEqualTo(raised.stream().filter(a -> a.subject().equals("cnt-01"))
                .findFirst().orElseThrow().alertId());
    }

    @Test
    void replacingRulesKeepsTheStateOfAnUnchangedRule() throws Exception {
        AtomicInteger acked = new AtomicInteger();
        pipeline.submit(frame("cnt-01", 50, 0), driver, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 1);
        assertThat(drain(tripoli)).hasSize(1);

        assertThat(pipeline.replaceRules(List.of(SURGE, new ThresholdRuleConfig("other", "vehicle_count",
                "count_total", 1000.0, 1.0, "info")), Duration.ofSeconds(5))).isTrue();
        pipeline.submit(frame("cnt-01", 60, 1), driver, acked::incrementAndGet);
        pipeline.submit(frame("cnt-01", 5, 2), driver, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 3);

        List<OutboxRecord> records = drain(tripoli);
        assertThat(records).hasSize(1);
        assertThat(AlertJson.decode(records.get(0).payload()).state()).isEqualTo(AlertState.CLEARED);
    }

    private static List<OutboxRecord> drain(DestinationQueue o) throws Exception {
        List<OutboxRecord> all = new ArrayList<>();
        List<OutboxRecord> batch;
        while (!(batch = o.poll(1000, 1 << 20, 200, TimeUnit.MILLISECONDS)).isEmpty()) {
            all.addAll(batch);
        }
        return all;
    }

    private static List<String> texts(List<OutboxRecord> records) {
        return records.stream().map(r -> new String(r.payload(), StandardCharsets.UTF_8)).toList();
    }
}
