package org.limes.gateway.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.limes.drivers.Reading;
import org.limes.gateway.config.ConfigException;

class WatchlistRuleTest {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RuleContext context = RuleContext.of(new RuleMetrics(registry));
    private final DeviceTable devices = table("cam-a", "cam-b", "cam-c");

    static DeviceTable table(String... ids) {
        DeviceTable t = new DeviceTable("test-gw", null, 0);
        for (String id : ids) {
            t.addInventory(id, "ras-ajdir", Map.of("device_class", "camera"), 0);
        }
        t.start(T0.toEpochMilli());
        return t;
    }

    private static Watchlist list(boolean fold, String... entries) {
        Map<String, String> m = new HashMap<>();
        for (String e : entries) {
            String[] pr = e.split(",", 2);
            m.put(Watchlist.normalise(pr[0], fold), pr.length > 1 ? pr[1] : "");
        }
        return new Watchlist(fold, m);
    }

    private static WatchlistRuleConfig config(boolean fold, Integer maxPassages, String... entries) {
        return new WatchlistRuleConfig("watch", "list.txt", fold, "30s", maxPassages, null, list(fold, entries));
    }

    private static Reading read(String camera, String lane, String plate, double second) {
        Map<String, String> tags = new HashMap<>();
        if (lane != null) {
            tags.put("lane", lane);
        }
        tags.put("direction", "inbound");
        Instant t = T0.plusMillis((long) (second * 1000));
        return new Reading(camera, "ras-ajdir", "anpr_read", tags, Map.of("plate", plate, "confidence_pct", 97.5),
                t, t);
    }

    @ParameterizedTest(name = "{0} (fold {1}) -> {2}")
    @CsvSource(delimiter = '|', value = {
        "5-123456       | false | 5123456",
        "ab 12-34       | false | AB1234",
        "' ab\t12 – 34 '| false | AB1234",
        "tn-9999-xx     | false | TN9999XX",
        "O1B-I0         | false | O1BI0",
        "O1B-I0         | true  | 01810",
        "ob i           | true  | 081",
        "٥-١٢٣٤٥٦       | false | 5123456",
        "۵۶             | false | 56",
        "ليبيا 5-123    | false | ليبيا5123",
    })
    void normalisation(String raw, boolean fold, String expected) {
        assertThat(Watchlist.normalise(raw, fold)).isEqualTo(expected);
    }

    /**
     * Each row: fold; events {@code t@camera/lane/plate} (lane {@code -}: none) or
     * {@code t@tick}; the transitions, {@code R<t><camera>} or {@code C<t>:<reads>[:reason]}.
     * The list holds {@code 5-123456} and {@code AB 100}; the window is 30s.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "an unlisted plate is quiet                       | false | 0@cam-a/1/5-999999                            | ",
        "a hit raises once                                 | false | 0@cam-a/1/5-123456;5@cam-a/1/5 123456          | R0cam-a",
        "a second camera of the lane in the window: same   | false | 0@cam-a/1/5-123456;3@cam-b/1/5123456          | R0cam-a",
        "a different lane is a new passage                 | false | 0@cam-a/1/5-123456;3@cam-c/2/5-123456         | R0cam-a;R3cam-c",
        "the window passing clears, on a tick              | false | 0@cam-a/1/5-123456;29@tick;30@tick            | R0cam-a;C30:1",
        "each read extends the window                      | false | 0@cam-a/1/5-123456;20@cam-b/1/5-123456;31@tick;49@tick;50@tick | R0cam-a;C50:2",
        "after the window it is a new passage              | false | 0@cam-a/1/5-123456;30@tick;45@cam-b/1/5-123456 | R0cam-a;C30:1;R45cam-b",
        "a read after the window before the tick           | false | 0@cam-a/1/5-123456;40@cam-b/1/5-123456;41@tick | R0cam-a;R40cam-b;C41:1",
        "without a lane each camera is its own lane        | false | 0@cam-a/-/5-123456;1@cam-b/-/5-123456         | R0cam-a;R1cam-b",
        "confusables do not match without folding          | false | 0@cam-a/1/A8-100                              | ",
        "confusables match with folding                    | true  | 0@cam-a/1/A8-1OO;2@cam-b/1/ab 100             | R0cam-a",
    })
    void passages(String name, boolean fold, String events, String expected) {
        WatchlistRuleConfig c = config(fold, null, "5-123456,stolen", "AB 100");
        // One instance per camera, as on separate shards, sharing the context's passage table.
        Map<String, WatchlistRule> byCamera = Map.of("cam-a", new WatchlistRule(c, devices, context),
                "cam-b", new WatchlistRule(c, devices, context), "cam-c", new WatchlistRule(c, devices, context));
        List<String> got = new ArrayList<>();
        for (String e : events.split(";")) {
            String[] at = e.split("@");
            double second = Double.parseDouble(at[0]);
            long now = T0.toEpochMilli() + (long) (second * 1000);
            List<Alert> out = new ArrayList<>();
            if ("tick".equals(at[1])) {
                for (WatchlistRule r : byCamera.values()) {
                    r.tick(now, out);
                }
            } else {
                String[] p = at[1].split("/");
                byCamera.get(p[0]).evaluate(read(p[0], "-".equals(p[1]) ? null : p[1], p[2], second),
                        devices.indexOf(p[0]), now, out);
            }
            for (Alert a : out) {
                long s = (a.at().toEpochMilli() - T0.toEpochMilli()) / 1000;
                got.add(a.state() == AlertState.RAISED ? "R" + s + a.device()
                        : "C" + s + ":" + (int) a.value() + (a.reason() == null ? "" : ":" + a.reason()));
            }
        }
        assertThat(got).as(name).isEqualTo(expected == null ? List.of() : Arrays.asList(expected.split(";")));
    }

    @Test
    void hitCarriesPlateCameraLaneDirectionAndReason() {
        WatchlistRule rule = new WatchlistRule(config(false, null, "5-123456,stolen vehicle"), devices, context);
        List<Alert> out = new ArrayList<>();
        rule.evaluate(read("cam-b", "2", "5 123456", 4), devices.indexOf("cam-b"), T0.toEpochMilli() + 4_020, out);

        Alert a = out.get(0);
        assertThat(a.alertId()).isEqualTo("test-gw/watch/ras-ajdir:2:5123456/" + T0.plusSeconds(4).toEpochMilli());
        assertThat(a.subjectKind()).isEqualTo("plate");
        assertThat(a.subject()).isEqualTo("5123456");
        assertThat(a.device()).isEqualTo("cam-b");
        assertThat(a.severity()).isEqualTo("critical");
        assertThat(a.kind()).isEqualTo("anpr_read");
        assertThat(a.field()).isEqualTo("plate");
        assertThat(a.tags()).containsEntry("camera", "cam-b").containsEntry("lane", "2")
                .containsEntry("direction", "inbound").containsEntry("plate", "5 123456")
                .containsEntry("match", "5123456").containsEntry("reason", "stolen vehicle");
        assertThat(rule.openEpisodes()).isEqualTo(1);
        assertThat(a.tags()).doesNotContainKey("picture_ref");
    }

    @Test
    void aHitWhosePicturesWereKeptSaysWhereTheyAre() {
        WatchlistRule rule = new WatchlistRule(config(false, null, "5-123456,stolen vehicle"), devices, context);
        List<Alert> out = new ArrayList<>();
        Reading withPictures = read("cam-b", "2", "5 123456", 4).withField("picture_ref",
                "cam-b/2026-11-26/060004.000Z-0a1b2c3d");
        rule.evaluate(withPictures, devices.indexOf("cam-b"), T0.toEpochMilli() + 4_020, out);

        assertThat(out.get(0).tags()).containsEntry("picture_ref", "cam-b/2026-11-26/060004.000Z-0a1b2c3d");
    }

    @Test
    void atThePassageLimitTheLeastRecentlyReadIsClearedAsEvictedByItsOwner() {
        WatchlistRuleConfig c = config(false, 1, "5-123456", "5-654321");
        WatchlistRule a = new WatchlistRule(c, devices, context);
        WatchlistRule b = new WatchlistRule(c, devices, context);
        List<Alert> out = new ArrayList<>();
        a.evaluate(read("cam-a", "1", "5-123456", 0), 0, T0.toEpochMilli(), out);
        b.evaluate(read("cam-b", "1", "5-654321", 1), 1, T0.toEpochMilli() + 1000, out);
        assertThat(out).extracting(Alert::state).containsExactly(AlertState.RAISED, AlertState.RAISED);
        out.clear();

        b.tick(T0.toEpochMilli() + 2000, out);
        assertThat(out).as("only the owner clears").isEmpty();
        a.tick(T0.toEpochMilli() + 2000, out);
        assertThat(out).singleElement().satisfies(x -> {
            assertThat(x.subject()).isEqualTo("5123456");
            assertThat(x.reason()).isEqualTo("evicted");
        });
        assertThat(registry.get("limes.dropped").tag("component", "rules").tag("reason", "passage_limit").counter()
                .count()).isEqualTo(1.0);
        assertThat(context.passages().size("watch")).isEqualTo(1);
    }

    @Test
    void restoredPassageIsNotRaisedAgainAndClearsAWindowAfterTheFirstTick() {
        WatchlistRuleConfig c = config(false, null, "5-123456");
        List<Alert> out = new ArrayList<>();
        new WatchlistRule(c, devices, context).evaluate(read("cam-a", "1", "5-123456", 0), 0, T0.toEpochMilli(), out);
        Alert open = out.get(0);
        out.clear();

        RuleContext fresh = RuleContext.of(new RuleMetrics(registry));
        WatchlistRule restored = new WatchlistRule(c, devices, fresh);
        WatchlistRule other = new WatchlistRule(c, devices, fresh);
        assertThat(restored.restore(open)).isTrue();
        restored.tick(T0.toEpochMilli() + 600_000, out);
        other.evaluate(read("cam-b", "1", "5-123456", 610), 1, T0.toEpochMilli() + 610_000, out);
        restored.tick(T0.toEpochMilli() + 639_000, out);
        assertThat(out).as("joined the restored passage; window runs from the read").isEmpty();
        restored.tick(T0.toEpochMilli() + 640_000, out);
        assertThat(out).singleElement().satisfies(x -> {
            assertThat(x.alertId()).isEqualTo(open.alertId());
            assertThat(x.state()).isEqualTo(AlertState.CLEARED);
        });

        WatchlistRule delisted = new WatchlistRule(config(false, null, "9-999"), devices, RuleContext.of(
                new RuleMetrics(registry)));
        assertThat(delisted.restore(open)).as("a plate no longer listed").isFalse();
    }

    @Test
    void listFileReadsPlatesReasonsAndComments(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("list.txt");
        Files.writeString(f, """
                # header
                5-123456, stolen vehicle   # trailing comment
                ab 100
                AB-100,wanted

                O1,x
                """, StandardCharsets.UTF_8);
        Watchlist w = Watchlist.read(f, false);
        assertThat(w.size()).isEqualTo(3);
        assertThat(w.reason("5123456")).isEqualTo("stolen vehicle");
        assertThat(w.reason("AB100")).isEqualTo("wanted");
        assertThat(w.reason("O1")).isEqualTo("x");
        assertThat(w.reason("01")).isNull();
        assertThat(Watchlist.read(f, true).reason("01")).isEqualTo("x");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "'5-1\n,reason\n'                  | line 2 has no plate: ',reason'",
        "'5-1\n---\n'                      | line 2 has no plate: '---'",
        "'123456789012345678901234567890123' | line 1 plate must be at most 32 characters",
        "'5-1\u0007x\n'                    | line 1 contains a control character (U+0007)",
    })
    void listFileErrorsNameTheFileAndLine(String text, String message, @TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.txt");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Watchlist.read(f, false)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ": " + message);
    }

    @Test
    void listFileThatIsNotUtf8OrMissingIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("latin1.txt");
        Files.write(f, new byte[] {'5', (byte) 0xE9, '\n'});
        assertThatThrownBy(() -> Watchlist.read(f, false)).hasMessage(f + ": is not UTF-8 text");
        Path missing = dir.resolve("missing.txt");
        assertThatThrownBy(() -> Watchlist.read(missing, false)).hasMessageStartingWith(missing + ": cannot be read");
    }

    @Test
    void aPassageTakenOverByAnotherOwnerGoesOnWithItsLastReadAndReads() {
        WatchlistRule before = new WatchlistRule(config(false, null, "AB1234"), devices, context);
        List<Alert> out = new ArrayList<>();
        before.evaluate(read("cam-a", "2", "AB 1234", 0), 0, T0.toEpochMilli(), out);
        before.evaluate(read("cam-b", "2", "ab-1234", 10), 1, T0.plusSeconds(10).toEpochMilli(), out);
        assertThat(out).singleElement().satisfies(a -> assertThat(a.state()).isEqualTo(AlertState.RAISED));
        List<WatchlistRule.OpenPassage> open = before.openPassages();
        assertThat(open).singleElement().satisfies(p -> {
            assertThat(p.lastSeenMs()).isEqualTo(T0.plusSeconds(10).toEpochMilli());
            assertThat(p.reads()).isEqualTo(2);
        });
        assertThat(WatchlistRule.laneKey(read("cam-a", "2", "x", 0))).isEqualTo("ras-ajdir/2")
                .doesNotContain("AB1234");
        assertThat(WatchlistRule.laneKey(read("cam-c", null, "x", 0))).isEqualTo("ras-ajdir/device:cam-c");
        assertThat(WatchlistRule.listed(config(false, null, "AB1234"), read("cam-a", "2", "ab 1234", 0))).isTrue();
        assertThat(WatchlistRule.listed(config(false, null, "AB1234"), read("cam-a", "2", "XY 1", 0))).isFalse();

        // A new owner (its own passage table) takes it over: a read 25 s after the last is the same passage.
        WatchlistRule after = new WatchlistRule(config(false, null, "AB1234"), devices,
                RuleContext.of(new RuleMetrics(registry)));
        assertThat(after.takeOver(open.get(0))).isTrue();
        out.clear();
        after.tick(T0.plusSeconds(35).toEpochMilli(), out);
        after.evaluate(read("cam-c", "2", "AB1234", 35), 2, T0.plusSeconds(35).toEpochMilli(), out);
        assertThat(out).as("neither raised again nor cleared").isEmpty();
        after.tick(T0.plusSeconds(64).toEpochMilli(), out);
        assertThat(out).isEmpty();
        after.tick(T0.plusSeconds(65).toEpochMilli(), out);
        assertThat(out).singleElement().satisfies(a -> {
            assertThat(a.state()).isEqualTo(AlertState.CLEARED);
            assertThat(a.alertId()).isEqualTo(open.get(0).alert().alertId());
            assertThat(a.value()).as("the old owner's two reads and the new one's").isEqualTo(3.0);
            assertThat(a.lastSeen()).isEqualTo(T0.plusSeconds(35));
        });

        // A plate no longer listed is not taken.
        WatchlistRule delisted = new WatchlistRule(config(false, null, "ZZ9"), devices,
                RuleContext.of(new RuleMetrics(registry)));
        assertThat(delisted.takeOver(open.get(0))).isFalse();
    }
}
