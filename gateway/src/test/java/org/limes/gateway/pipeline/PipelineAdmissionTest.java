package org.limes.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
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
import org.limes.gateway.privacy.PlatePseudonymiser;
import org.limes.gateway.rules.AlertStateStore;
import org.limes.gateway.rules.RuleMetrics;
import org.limes.gateway.rules.TestClock;

/** Admission after decoding: authenticated identity, reading limits, per-device rate, store pseudonyms. */
class PipelineAdmissionTest {

    private static final String KEY = "0123456789abcdef0123456789abcdef-test-only";

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Drivers drivers = Drivers.load();
    private final Driver counter = drivers.create("counter-json", DriverOptions.empty());
    private final Driver camera = drivers.create("camera-json", DriverOptions.empty());
    private final TestClock clock = new TestClock(Instant.parse("2026-11-26T06:01:00Z"));
    private OutboxCommitter committer;
    private DestinationQueue store;
    private Pipeline pipeline;

    private void start(LimitsConfig limits, PlatePseudonymiser plates) throws Exception {
        committer = new OutboxCommitter(2);
        Outbox alerts = Outbox.open("store/alerts", dir.resolve("alerts"), OutboxLimits.defaults(),
                new OutboxMetrics(registry, "store", "alert"));
        Outbox readings = Outbox.open("store/readings", dir.resolve("readings"), OutboxLimits.defaults(),
                new OutboxMetrics(registry, "store", "reading"));
        committer.register(alerts);
        committer.register(readings);
        store = new DestinationQueue("store", alerts, readings, 0);
        committer.start();
        Inventory inventory = new Inventory(new InventoryConfig(null, null, List.of(
                new DeviceConfig("cnt-01", "ras-ajdir", "counter", "1", null, Map.of(), null),
                new DeviceConfig("cnt-02", "ras-ajdir", "counter", "2", null, Map.of(), null),
                new DeviceConfig("cam-01", "ras-ajdir", "camera", "1", null, Map.of(), null))));
        RuleMetrics ruleMetrics = new RuleMetrics(registry);
        pipeline = Pipeline.builder().gateway("gw").config(new PipelineConfig(2, 64)).limits(limits)
                .inventory(inventory).clock(clock)
                .alertState(new AlertStateStore(dir.resolve("state"), "gw", ruleMetrics)).ruleMetrics(ruleMetrics)
                .store(new Destination(store, Routing.ALL, plates)).committer(committer)
                .metrics(new PipelineMetrics(registry)).build();
        pipeline.start();
    }

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (committer != null) {
            committer.close();
        }
    }

    @Test
    void aReadingNamingAnotherDeviceThanTheAuthenticatedOneIsDroppedAndCounted() throws Exception {
        start(LimitsConfig.defaults(), null);
        AtomicInteger acked = new AtomicInteger();
        Pipeline.Offer spoofed = pipeline.offer(counter("cnt-02", 0, "cnt-01"), counter, acked::incrementAndGet);
        pipeline.submit(counter("cnt-01", 1, "cnt-01"), counter, acked::incrementAndGet);
        pipeline.submit(counter("cnt-02", 2, null), counter, acked::incrementAndGet);

        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 3);
        assertThat(spoofed.malformed()).contains("names device 'cnt-02' but the sender authenticated as 'cnt-01'");
        assertThat(texts(drain(store))).hasSize(2).noneMatch(l -> l.contains("second=0"));
        assertThat(dropped("identity_mismatch")).isEqualTo(1.0);
    }

    @Test
    void aReadingOverTheLimitsIsDroppedWhileTheGoodOnesAroundItFlowOn() throws Exception {
        start(new LimitsConfig(null, null, 16, null), null);
        AtomicInteger acked = new AtomicInteger();
        pipeline.submit(counter("cnt-01", 0, null), counter, acked::incrementAndGet);
        String longPlate = "{\"type\":\"anpr_read\",\"device\":\"cam-01\",\"time\":\"2026-11-26T06:00:00Z\","
                + "\"plate\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ\",\"confidence_pct\":90}";
        pipeline.submit(frame(longPlate, null), camera, acked::incrementAndGet);
        pipeline.submit(counter("cnt-01", 2, null), counter, acked::incrementAndGet);

        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 3);
        assertThat(texts(drain(store))).hasSize(2).allMatch(l -> l.startsWith("vehicle_count,"));
        assertThat(dropped("over_limits")).isEqualTo(1.0);
    }

    @Test
    void aDeviceFasterThanItsRateLosesTheReadingsBeyondItAndOthersAreUntouched() throws Exception {
        start(new LimitsConfig(null, null, null, 3), null);
        AtomicInteger acked = new AtomicInteger();
        for (int i = 0; i < 10; i++) {
            pipeline.submit(counter("cnt-01", i, null), counter, acked::incrementAndGet);
        }
        pipeline.submit(counter("cnt-02", 0, null), counter, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 11);
        assertThat(texts(drain(store))).hasSize(4).filteredOn(l -> l.contains("device=cnt-02")).hasSize(1);
        assertThat(dropped("rate_limited")).isEqualTo(7.0);

        clock.advance(Duration.ofSeconds(1));
        pipeline.submit(counter("cnt-01", 30, null), counter, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 12);
        assertThat(texts(drain(store))).as("the bucket refills with the clock").hasSize(1);
    }

    @Test
    void theStoreGetsAKeyedHashOfThePlateAndTheSameHashForTheSamePlateHoweverWritten() throws Exception {
        PlatePseudonymiser plates = new PlatePseudonymiser(KEY.getBytes(StandardCharsets.UTF_8));
        start(LimitsConfig.defaults(), plates);
        AtomicInteger acked = new AtomicInteger();
        pipeline.submit(frame(anpr("5-123 456", 0), null), camera, acked::incrementAndGet);
        pipeline.submit(frame(anpr("5123456", 1), null), camera, acked::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 2);

        List<String> lines = texts(drain(store));
        String hash = plates.hash("5123456");
        assertThat(hash).hasSize(64).isEqualTo(plates.hash("5-123 456"))
                .isNotEqualTo(new PlatePseudonymiser("another-key-another-key-another-key".getBytes(
                        StandardCharsets.UTF_8)).hash("5123456"));
        assertThat(lines).hasSize(2).allSatisfy(l -> assertThat(l).contains("plate=\"" + hash + "\"")
                .doesNotContain("123456\"").doesNotContain("123 456"));
    }

    private double dropped(String reason) {
        return registry.get("limes.dropped").tag("component", "pipeline").tag("reason", reason).counter().count();
    }

    private static String anpr(String plate, int second) {
        return "{\"type\":\"anpr_read\",\"device\":\"cam-01\",\"time\":\"2026-11-26T06:00:0" + second + "Z\","
                + "\"plate\":\"" + plate + "\",\"confidence_pct\":90}";
    }

    private static Frame counter(String device, int second, String identity) {
        String json = "{\"device\":\"" + device + "\",\"time\":\"2026-11-26T06:00:" + String.format("%02d", second)
                + "Z\",\"lane\":\"1\",\"direction\":\"inbound\",\"interval_s\":60,\"counts\":{\"car\":" + second
                + "}}";
        return frame(json, identity);
    }

    private static Frame frame(String text, String identity) {
        return new Frame(text.getBytes(StandardCharsets.UTF_8), "test", "test-origin",
                Instant.parse("2026-11-26T06:01:00Z"), identity);
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
