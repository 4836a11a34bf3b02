package org.limes.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.gateway.pipeline.DeviceClassConfig;
import org.limes.gateway.pipeline.DeviceConfig;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.pipeline.InventoryConfig;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.rules.TestClock;

class LiveViewTest {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");

    private final TestClock clock = new TestClock(T0);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Inventory inventory = new Inventory(new InventoryConfig("accept", "ras-ajdir",
            Map.of("counter", new DeviceClassConfig("10s")), List.of(
                    new DeviceConfig("cnt-01", "ras-ajdir", "counter", "1", null, Map.of(), null),
                    new DeviceConfig("cam-01", "ras-ajdir", "camera", "2", null, Map.of(), null))));
    private final LiveView live = new LiveView(inventory, 2, clock, new LiveMetrics(registry));

    private Reading reading(String device, String kind, Map<String, Object> fields, long skewMs) {
        Instant now = clock.instant();
        return new Reading(device, "ras-ajdir", kind, Map.of(), fields, now.plusMillis(skewMs), now);
    }

    private DeviceState state(String id) {
        return live.devices().stream().filter(d -> d.id().equals(id)).findFirst()
                .map(d -> DeviceState.valueOf(d.state().toUpperCase())).orElseThrow();
    }

    @Test
    void keepsNoReadingAliveAfterItWasShown() {
        Reading first = reading("cnt-01", "vehicle_count", Map.of("count_total", 5L, "speed_mps", 1.5), 0);
        live.reading(first, first);
        clock.advance(Duration.ofSeconds(1));
        Reading next = reading("cnt-01", "vehicle_count", Map.of("count_total", 6L, "speed_mps", 2.5), 0);
        live.reading(next, next);
        WeakReference<Reading> shown = new WeakReference<>(next);
        next = null;

        // The latest values are copied out: a kept Reading per device and kind lives about one
        // reading interval, long enough to be aged into the old generation at every collection.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return shown.get() == null;
        });
        assertThat(live.latest().get("cnt-01")).singleElement().satisfies(l -> {
            assertThat(l.fields()).containsExactly(Map.entry("count_total", 6L), Map.entry("speed_mps", 2.5));
            assertThat(l.deviceTime()).isEqualTo(T0.plusSeconds(1).toString());
        });
    }

    @Test
    void aDeviceOfSeveralKindsShowsTheLatestOfEach() {
        live.reading(reading("cnt-01", "vehicle_count", Map.of("count_total", 5L), 0),
                reading("cnt-01", "vehicle_count", Map.of("count_total", 5L), 0));
        Reading health = reading("cnt-01", "device_health", Map.of("battery_pct", 80.0), 0);
        live.reading(health, health);
        Reading count = reading("cnt-01", "vehicle_count", Map.of("count_total", 7L), 0);
        live.reading(count, count);
        Reading health2 = reading("cnt-01", "device_health", Map.of("battery_pct", 79.5), 0);
        live.reading(health2, health2);

        assertThat(live.latest().get("cnt-01")).extracting(LiveView.LatestReading::kind, l -> l.fields())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("device_health", Map.of("battery_pct", 79.5)),
                        org.assertj.core.groups.Tuple.tuple("vehicle_count", Map.of("count_total", 7L)));
    }

    @Test
    void aSampledFrameOfAnotherKindShowsItsOwnKind() {
        Reading count = reading("cnt-01", "vehicle_count", Map.of("count_total", 5L), 0);
        live.frame(new Frame("{}".getBytes(StandardCharsets.UTF_8), "devices", "t", clock.instant()), "counter-json",
                List.of(count));
        clock.advance(Duration.ofMillis(LiveView.FRAME_SAMPLE_MS));
        Reading health = reading("cnt-01", "device_health", Map.of("battery_pct", 80.0), 0);
        live.frame(new Frame("{}".getBytes(StandardCharsets.UTF_8), "devices", "t", clock.instant()), "counter-json",
                List.of(health));

        assertThat(live.deviceFrame("cnt-01").frame().decoded()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo("device_health");
            assertThat(d.fields()).containsExactly(Map.entry("battery_pct", 80.0));
        });
    }

    @Test
    void keepsNothingOfASampledFrame() {
        Reading first = reading("cnt-01", "vehicle_count", Map.of("count_total", 5L), 0);
        live.frame(new Frame("{\"n\":5}".getBytes(StandardCharsets.UTF_8), "devices", "crossing/cnt-01", clock.instant()),
                "counter-json", List.of(first));
        clock.advance(Duration.ofMillis(LiveView.FRAME_SAMPLE_MS));
        Reading decoded = reading("cnt-01", "vehicle_count", Map.of("count_total", 6L), 0);
        Frame frame = new Frame("{\"n\":6}".getBytes(StandardCharsets.UTF_8), "devices", "crossing/cnt-01",
                clock.instant());
        live.frame(frame, "counter-json", List.of(decoded));
        WeakReference<Reading> reading = new WeakReference<>(decoded);
        WeakReference<byte[]> payload = new WeakReference<>(frame.payload());
        decoded = null;
        frame = null;

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return reading.get() == null && payload.get() == null;
        });
        LiveView.FrameSample sample = live.deviceFrame("cnt-01").frame();
        assertThat(sample.text()).isEqualTo("{\"n\":6}");
        assertThat(sample.decoded()).singleElement().satisfies(d ->
                assertThat(d.fields()).containsExactly(Map.entry("count_total", 6L)));
    }

    @Test
    void aDeviceIsPendingThenOkThenSilentWhenItsIntervalPassesWithoutAReading() {
        assertThat(state("cnt-01")).isEqualTo(DeviceState.PENDING);
        Reading r = reading("cnt-01", "vehicle_count", Map.of("count_total", 5L), -300);
        live.reading(r, r);
        assertThat(state("cnt-01")).isEqualTo(DeviceState.OK);
        LiveView.DeviceStatus s = live.devices().stream().filter(d -> d.id().equals("cnt-01")).findFirst().get();
        assertThat(s.clockSkewMs()).isEqualTo(-300);
        assertThat(s.deviceClass()).isEqualTo("counter");
        assertThat(s.lane()).isEqualTo("1");

        clock.advance(Duration.ofSeconds(10));
        assertThat(state("cnt-01")).isEqualTo(DeviceState.OK);
        clock.advance(Duration.ofMillis(1));
        assertThat(state("cnt-01")).isEqualTo(DeviceState.SILENT);
        assertThat(live.devices().get(0).id()).as("worst first").isEqualTo("cnt-01");
        assertThat(live.devices().get(0).stateReason()).isEqualTo("not heard for 10 s, expected every 10.0 s");
    }

    @Test
    void aNeverHeardDeviceTurnsSilentOnceItsIntervalHasPassedSinceStart() {
        clock.advance(Duration.ofSeconds(11));
        assertThat(state("cnt-01")).isEqualTo(DeviceState.SILENT);
        assertThat(state("cam-01")).as("no expected interval: never silent").isEqualTo(DeviceState.PENDING);
    }

    @Test
    void aQuarantinedReadingOrAFaultyHealthReadingMakesTheDeviceFaultyUntilAGoodOne() {
        Reading skewed = reading("cnt-01", "vehicle_count", Map.of("count_total", 5L), 120_000);
        live.reading(skewed, null);
        assertThat(state("cnt-01")).isEqualTo(DeviceState.FAULTY);
        Reading good = reading("cnt-01", "vehicle_count", Map.of("count_total", 6L), 0);
        live.reading(good, good);
        assertThat(state("cnt-01")).isEqualTo(DeviceState.OK);

        Reading offline = reading("cam-01", "device_health", Map.of("online", false), 0);
        live.reading(offline, offline);
        assertThat(state("cam-01")).isEqualTo(DeviceState.FAULTY);
        Reading online = reading("cam-01", "device_health", Map.of("online", true), 0);
        live.reading(online, online);
        assertThat(state("cam-01")).isEqualTo(DeviceState.OK);
        assertThat(LiveView.reportsFault(reading("cam-01", "device_health", Map.of("status", "ERROR"), 0))).isTrue();
        assertThat(LiveView.reportsFault(reading("cam-01", "device_health", Map.of("fault", true), 0))).isTrue();
    }

    @Test
    void theLatestReadingOfEachKindIsKeptAndKindsAreBounded() {
        for (int i = 0; i < LiveView.MAX_KINDS_PER_DEVICE + 3; i++) {
            Reading r = reading("cnt-01", "kind_" + (char) ('a' + i), Map.of("v", (long) i), 0);
            live.reading(r, r);
        }
        Reading again = reading("cnt-01", "kind_a", Map.of("v", 99L), 0);
        live.reading(again, again);
        List<LiveView.LatestReading> latest = live.latest().get("cnt-01");
        assertThat(latest).hasSize(LiveView.MAX_KINDS_PER_DEVICE);
        assertThat(latest.get(0).fields()).containsEntry("v", 99L);
        assertThat(dropped("live_kinds_full")).isEqualTo(3);
    }

    @Test
    void unknownDevicesBeyondTheCapAreCountedNotShown() {
        for (String id : List.of("x-1", "x-2", "x-3", "x-4")) {
            Reading r = reading(id, "vehicle_count", Map.of("count_total", 1L), 0);
            live.reading(r, r);
        }
        assertThat(live.devices()).extracting(LiveView.DeviceStatus::id)
                .containsExactlyInAnyOrder("cnt-01", "cam-01", "x-1", "x-2");
        assertThat(live.devices().stream().filter(d -> d.id().equals("x-1")).findFirst().get().inInventory())
                .isFalse();
        assertThat(dropped("live_devices_full")).isEqualTo(2);
        assertThat(registry.get("limes.live.devices").gauge().value()).isEqualTo(4);
    }

    @Test
    void aRaiseOpensAnEpisodeAClearClosesItAndRecentTransitionsAreBounded() {
        Alert raised = alert("queue-surge/cnt-01/1", AlertState.RAISED);
        live.alert(raised);
        assertThat(live.alerts().open()).extracting(LiveView.AlertView::alertId).containsExactly("queue-surge/cnt-01/1");
        // The same shape as centre JSON: {"kind":…,"id":…}, not a bare string.
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .valueToTree(live.alerts().open().get(0));
        assertThat(json.path("subject").path("kind").asText()).isEqualTo(raised.subjectKind());
        assertThat(json.path("subject").path("id").asText()).isEqualTo(raised.subject());
        live.alert(raised.cleared(10, 20, clock.instant(), clock.instant(), null));
        assertThat(live.alerts().open()).isEmpty();
        assertThat(live.alerts().recent()).extracting(LiveView.AlertView::state).containsExactly("cleared", "raised");

        for (int i = 0; i < LiveView.RECENT_ALERTS + 10; i++) {
            live.alert(alert("a/" + i, AlertState.RAISED));
        }
        assertThat(live.alerts().recent()).hasSize(LiveView.RECENT_ALERTS);
        assertThat(live.alerts().recent().get(0).alertId()).isEqualTo("a/" + (LiveView.RECENT_ALERTS + 9));
        assertThat(registry.get("limes.live.alerts.open").gauge().value()).isEqualTo(LiveView.RECENT_ALERTS + 10);
    }

    @Test
    void restoredEpisodesAreOpenWithoutATransition() {
        live.restore(List.of(alert("queue-surge/cnt-01/7", AlertState.RAISED)));
        assertThat(live.alerts().open()).hasSize(1);
        assertThat(live.alerts().recent()).isEmpty();
    }

    @Test
    void theIngestRateCountsTheLastTenWholeSeconds() {
        for (int s = 0; s < 12; s++) {
            for (int i = 0; i < 5; i++) {
                Reading r = reading("cnt-01", "vehicle_count", Map.of("count_total", 1L), 0);
                live.reading(r, r);
            }
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(live.ingestRatePerSecond()).isEqualTo(5.0);
        clock.advance(Duration.ofSeconds(20));
        assertThat(live.ingestRatePerSecond()).isZero();
    }

    private double dropped(String reason) {
        return registry.get("limes.dropped").tag("component", "live").tag("reason", reason).counter().count();
    }

    private Alert alert(String id, AlertState state) {
        Instant now = clock.instant();
        return Alert.builder().alertId(id).rule("queue-surge").state(state).severity("warning").site("ras-ajdir")
                .device("cnt-01").subjectKind(Alert.DEVICE).subject("cnt-01").kind("vehicle_count")
                .field("count_total").value(64).threshold(40).firstSeen(now).lastSeen(now).raisedAt(now).at(now)
                .tags(Map.of("lane", "1")).build();
    }
}
