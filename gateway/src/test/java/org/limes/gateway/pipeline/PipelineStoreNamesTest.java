package org.limes.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.outbox.TestQueues;
import org.limes.gateway.rules.AlertStateStore;
import org.limes.gateway.rules.RuleMetrics;
import org.limes.gateway.rules.TestClock;

/**
 * Item 13-15 of issue 13 at the pipeline's entry: a reading whose names the store cannot hold,
 * that writes over the gateway's own names, or whose field type conflicts with the store's,
 * is refused with a counted reason and never reaches the store's outbox; the readings around
 * it are stored.
 */
class PipelineStoreNamesTest {

    private static final Instant T = Instant.parse("2026-11-26T06:00:00Z");

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** A PLC bridge allowed to write vehicle counts, as an operator may configure one. */
    private final Driver lineProtocol = Drivers.load().create("lineprotocol",
            DriverOptions.of(Map.of("allow_kinds", "vehicle_count")));
    private final Driver counter = Drivers.load().create("counter-json", DriverOptions.empty());
    private OutboxCommitter committer;
    private DestinationQueue store;
    private DestinationQueue centre;
    private Pipeline pipeline;

    @BeforeEach
    void start() throws Exception {
        committer = new OutboxCommitter(2);
        store = TestQueues.open(dir, "store", committer, registry);
        centre = TestQueues.open(dir, "tripoli", committer, registry);
        committer.start();
        Inventory inventory = new Inventory(new InventoryConfig(null, null, List.of(
                new DeviceConfig("cnt-01", "ras-ajdir", "counter", "1", null, Map.of(), "2m"),
                new DeviceConfig("lp-1", "ras-ajdir", "plc", "2", null, Map.of("zone", "north"), "2m"))));
        RuleMetrics ruleMetrics = new RuleMetrics(registry);
        pipeline = Pipeline.builder().gateway("gw").config(new PipelineConfig(2, 16)).limits(LimitsConfig.defaults())
                .inventory(inventory).clock(new TestClock(T.plusSeconds(60)))
                .alertState(new AlertStateStore(dir.resolve("alerts"), "gw", ruleMetrics)).ruleMetrics(ruleMetrics)
                .store(new Destination(store, Routing.ALL)).centres(List.of(new Destination(centre, Routing.ALL)))
                .committer(committer).metrics(new PipelineMetrics(registry)).build();
        pipeline.start();
    }

    @AfterEach
    void stop() {
        pipeline.close();
        committer.close();
    }

    @Test
    void aNameTheStoreCannotHoldFromAnyDriverNeverReachesTheOutbox() throws Exception {
        AtomicInteger acked = new AtomicInteger();
        Driver careless = new ReadingsDriver(
                new Reading("cnt-01", "", "plc-x", Map.of(), Map.of("v", 1L), T, T),
                new Reading("cnt-01", "", "plc", Map.of("zo-ne", "a"), Map.of("v", 1L), T, T),
                new Reading("cnt-01", "", "plc", Map.of(), Map.of("v w", 1L), T, T),
                new Reading("cnt-01", "", "plc", Map.of("a", "x", "A", "y"), Map.of("v", 1L), T, T),
                new Reading("cnt-01", "", "plc", Map.of(), Map.of("v", 1L, "V", 2L), T, T),
                new Reading("cnt-01", "", "plc", Map.of("v", "x"), Map.of("V", 2L), T, T),
                new Reading("cnt-01", "", "plc", Map.of(), Map.of("good", 1L), T, T));

        pipeline.submit(frame("x"), careless, acked::incrementAndGet);

        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 1);
        assertThat(texts(drain(store))).singleElement().satisfies(l -> assertThat(l).startsWith("plc,")
                .contains("good=1i"));
        assertThat(dropped("invalid_name")).isEqualTo(6.0);
    }

    @Test
    void aDeviceCannotShadowTheGatewaysTagsOrForgeAlertRows() throws Exception {
        AtomicInteger acked = new AtomicInteger();
        Driver careless = new ReadingsDriver(
                new Reading("lp-1", "", "vehicle_count", Map.of("Device", "cnt-01", "Device_class", "counter"),
                        Map.of("count_car", 999L), T, T),
                new Reading("lp-1", "", "vehicle_count", Map.of("SITE", "elsewhere"), Map.of("count_car", 999L), T, T),
                new Reading("lp-1", "", "alert", Map.of("rule", "watchlist"), Map.of("alert_id", "x"), T, T),
                new Reading("lp-1", "", "Alert", Map.of("rule", "watchlist"), Map.of("alert_id", "x"), T, T),
                new Reading("lp-1", "", "plc", Map.of(), Map.of("Device", "cnt-01"), T, T),
                new Reading("lp-1", "", "plc", Map.of(), Map.of("lane", 3L), T, T));

        pipeline.submit(frame("x"), careless, acked::incrementAndGet);
        // Through the real driver: the inventory's tags of lp-1 in other letter case, and the same key.
        pipeline.submit(frame("vehicle_count,device=lp-1,LANE=9 count_car=5i 1764136800000000000\n"
                + "vehicle_count,device=lp-1,Zone=south count_car=5i 1764136800000000000\n"
                + "vehicle_count,device=lp-1,lane=9,device_class=counter count_car=7i 1764136800000000000"),
                lineProtocol, acked::incrementAndGet);

        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 2);
        List<String> stored = texts(drain(store));
        assertThat(stored).singleElement().isEqualTo(
                "vehicle_count,device=lp-1,device_class=plc,lane=2,site=ras-ajdir,zone=north count_car=7i "
                        + "1764136800000000000");
        assertThat(dropped("gateway_name")).isEqualTo(8.0);
        assertThat(drain(centre)).isEmpty();
    }

    @Test
    void aFieldWhoseTypeConflictsWithTheStoresIsRefusedAndLaterGoodReadingsAreStored() throws Exception {
        AtomicInteger acked = new AtomicInteger();
        pipeline.submit(frame("vehicle_count,device=lp-1 occupancy_pct=\"poison\" 1764136800000000000"),
                lineProtocol, acked::incrementAndGet);
        pipeline.submit(frame("plc,device=lp-1 temp_c=1.5 1\nplc,device=lp-1 temp_c=\"hot\" 2\n"
                + "plc,device=lp-1 temp_c=2i 3\nplc,device=lp-1 temp_c=2.5,state=\"ok\" 4"),
                lineProtocol, acked::incrementAndGet);
        pipeline.submit(frame("{\"device\":\"cnt-01\",\"time\":\"2026-11-26T06:00:00Z\",\"lane\":\"1\","
                + "\"direction\":\"inbound\",\"interval_s\":60,\"occupancy_pct\":12.5,\"counts\":{\"car\":3}}"),
                counter, acked::incrementAndGet);

        await().atMost(Duration.ofSeconds(10)).until(() -> acked.get() == 3);
        List<String> stored = texts(drain(store));
        assertThat(stored).hasSize(3);
        assertThat(stored).anySatisfy(l -> assertThat(l).startsWith("vehicle_count,device=cnt-01")
                .contains("occupancy_pct=12.5"));
        assertThat(stored).anySatisfy(l -> assertThat(l).startsWith("plc,").contains("temp_c=1.5").endsWith(" 1"));
        assertThat(stored).anySatisfy(l -> assertThat(l).startsWith("plc,").contains("state=\"ok\",temp_c=2.5 "));
        assertThat(dropped("field_type")).isEqualTo(3.0);
    }

    @Test
    void theFirstTypesAreBoundedAndAFullMapRefusesNewFieldsCounted() {
        StoreGuard guard = new StoreGuard(2);
        Reading two = new Reading("d", "", "plc", Map.of(), Map.of("a", 1L, "b", 1.5), T, T);
        Reading third = new Reading("d", "", "plc", Map.of(), Map.of("a", 2L, "c", true), T, T);
        Reading undeclaredButKnownKind = new Reading("d", "", "vehicle_count", Map.of(), Map.of("count_car", 1L), T, T);

        assertThat(guard.check(two, Map.of(), true)).isNull();
        assertThat(guard.check(third, Map.of(), true).reason()).isEqualTo("field_types_full");
        assertThat(guard.check(undeclaredButKnownKind, Map.of(), true)).isNull();
        assertThat(guard.fieldTypes()).isEqualTo(2);
    }

    @Test
    void aReadingThatWillBeDroppedDoesNotFixAFieldsType() {
        StoreGuard guard = new StoreGuard(100);

        assertThat(guard.check(new Reading("stranger", "", "plc", Map.of(), Map.of("v", "poison"), T, T),
                Map.of(), false)).isNull();
        assertThat(guard.check(new Reading("cnt-01", "", "plc", Map.of(), Map.of("v", 1.5), T, T), Map.of(), true))
                .isNull();
        assertThat(guard.check(new Reading("cnt-01", "", "plc", Map.of(), Map.of("v", "x"), T, T), Map.of(), true))
                .satisfies(r -> assertThat(r.why()).isEqualTo(
                        "field 'v' of 'plc' is a float in the store (first written), got a string"));
    }

    private double dropped(String reason) {
        Counter c = registry.find("limes.dropped").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    private static Frame frame(String text) {
        return new Frame(text.getBytes(StandardCharsets.UTF_8), "test", "crossing/x/plc/lp-1", T.plusSeconds(60));
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

    /**
     * A driver that gives the same readings for any frame: every real driver now refuses such
     * names itself, so this stands for one that does not (defence in depth).
     */
    private record ReadingsDriver(List<Reading> readings) implements Driver {

        ReadingsDriver(Reading... readings) {
            this(List.of(readings));
        }

        @Override
        public String name() {
            return "careless";
        }

        @Override
        public Framing framing() {
            return Framing.DOCUMENT;
        }

        @Override
        public List<Reading> decode(Frame frame) {
            return readings;
        }

        @Override
        public byte[] encode(Reading reading) {
            throw new UnsupportedOperationException("decode only");
        }
    }
}
