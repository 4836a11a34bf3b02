package org.limes.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.live.LiveMetrics;
import org.limes.gateway.live.LiveView;
import org.limes.gateway.outbox.DeadLetters;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.outbox.OverflowAlerts;
import org.limes.gateway.outbox.TestQueues;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.rules.AlertStateStore;
import org.limes.gateway.rules.RuleMetrics;
import org.limes.gateway.rules.TestClock;

/**
 * The outboxes' own alerts (overflow, set aside) go through the pipeline's fan-out, fed by a
 * real {@link OverflowAlerts} as the gateway wires it: each destination's routing applies to
 * them as to the rules' alerts.
 */
class DeliveryAlertsTest {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestClock clock = new TestClock(Instant.parse("2026-12-05T08:00:00Z"));
    /** Age of every destination's oldest undelivered record: an overflow episode clears once it is small. */
    private final AtomicLong ageMs = new AtomicLong(60_000);
    private final Map<DestinationQueue, List<OutboxRecord>> received = new HashMap<>();
    private OutboxCommitter committer;
    private DestinationQueue store;
    private DestinationQueue tripoli;
    private DestinationQueue benghazi;
    private DestinationQueue partner;
    private DeliveryAlerts deliveryAlerts;
    private OverflowAlerts overflow;
    private LiveView live;
    private Pipeline pipeline;

    @BeforeEach
    void start() throws Exception {
        committer = new OutboxCommitter(2);
        store = TestQueues.open(dir, "store", committer, registry);
        tripoli = TestQueues.open(dir, "tripoli", committer, registry);
        benghazi = TestQueues.open(dir, "benghazi", committer, registry);
        partner = TestQueues.open(dir, "partner", committer, registry);
        committer.start();
        deliveryAlerts = new DeliveryAlerts("gw");
        overflow = new OverflowAlerts(List.of("store", "tripoli", "benghazi", "partner"), d -> ageMs.get(), 1_000,
                clock::millis, deliveryAlerts::overflow, deliveryAlerts::setAside);
        overflow.start();
    }

    /** The store and Tripoli take everything, Benghazi only critical alerts, the partner one rule only. */
    private void buildPipeline() throws Exception {
        Inventory inventory = new Inventory(new InventoryConfig("accept", "ras-ajdir", List.of()));
        live = new LiveView(inventory, Pipeline.MAX_UNKNOWN_DEVICES, clock, new LiveMetrics(registry));
        RuleMetrics ruleMetrics = new RuleMetrics(registry);
        pipeline = Pipeline.builder().gateway("gw").config(new PipelineConfig(1, 16)).inventory(inventory)
                .clock(clock).alertState(new AlertStateStore(dir.resolve("alerts"), "gw", ruleMetrics))
                .ruleMetrics(ruleMetrics).store(new Destination(store, Routing.ALL))
                .centres(List.of(new Destination(tripoli, Routing.ALL),
                        new Destination(benghazi, new Routing(null, List.of("critical"), null, null)),
                        new Destination(partner, new Routing(List.of("cross-border-intrusion"), null, null, null))))
                .committer(committer).metrics(new PipelineMetrics(registry)).live(live)
                .deliveryAlerts(deliveryAlerts).build();
        pipeline.start();
    }

    @AfterEach
    void stop() {
        overflow.close();
        if (pipeline != null) {
            pipeline.close();
        }
        committer.close();
    }

    @Test
    void anOverflowReachesOnlyTheDestinationsWhoseRoutingAdmitsIt() throws Exception {
        buildPipeline();
        overflow.evicted("tripoli/readings", 3);

        await().atMost(Duration.ofSeconds(10)).until(() -> received(benghazi).size() == 1);
        Alert raised = AlertJson.decode(received(benghazi).get(0).payload());
        assertThat(raised.rule()).isEqualTo(DeliveryAlerts.OVERFLOW_RULE);
        assertThat(raised.state()).isEqualTo(AlertState.RAISED);
        assertThat(raised.subject()).isEqualTo("tripoli");
        assertThat(raised.value()).isEqualTo(3.0);
        assertThat(raised.tags()).containsEntry("destination", "tripoli");
        await().atMost(Duration.ofSeconds(10)).until(() -> received(tripoli).size() == 1
                && received(store).size() == 1);
        assertThat(text(received(store).get(0))).startsWith("alert,").contains("outbox-overflow");
        assertThat(live.alerts().open()).singleElement()
                .satisfies(v -> assertThat(v.rule()).isEqualTo(DeliveryAlerts.OVERFLOW_RULE));

        ageMs.set(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> received(benghazi).size() == 2);
        Alert cleared = AlertJson.decode(received(benghazi).get(1).payload());
        assertThat(cleared.state()).isEqualTo(AlertState.CLEARED);
        assertThat(cleared.alertId()).isEqualTo(raised.alertId());
        assertThat(cleared.reason()).isEqualTo("caught_up");
        await().atMost(Duration.ofSeconds(10)).until(() -> live.alerts().open().isEmpty());
        assertThat(received(partner)).as("the partner's routing admits one other rule only").isEmpty();
    }

    @Test
    void anAlertSetAsideAtOneCentreIsRaisedToTheOthersTheirRoutingAdmits() throws Exception {
        buildPipeline();
        long at = clock.millis();
        // None of these raises anything: a reading, what the store sets aside, a notice itself.
        overflow.setAside(new DeadLetters.SetAside("tripoli", OutboxRecord.READING, 1, "vehicle_count", null,
                "refused", "400", 100, at));
        overflow.setAside(new DeadLetters.SetAside("store", OutboxRecord.ALERT, 2, "gw/x/1", "queue-surge",
                "refused", "400", 100, at));
        overflow.setAside(new DeadLetters.SetAside("benghazi", OutboxRecord.ALERT, 3, "gw/y/1",
                DeliveryAlerts.SET_ASIDE_RULE, "too_large", "packet", 100, at));
        overflow.setAside(new DeadLetters.SetAside("tripoli", OutboxRecord.ALERT, 7, "gw/queue-surge/cnt-01/1",
                "queue-surge", "too_large", "packet", 1234, at));

        await().atMost(Duration.ofSeconds(10)).until(() -> received(benghazi).size() == 1
                && received(store).size() == 1);
        Alert notice = AlertJson.decode(received(benghazi).get(0).payload());
        assertThat(notice.rule()).isEqualTo(DeliveryAlerts.SET_ASIDE_RULE);
        assertThat(notice.alertId()).isEqualTo("gw/outbox-dead-letter/tripoli/7");
        assertThat(notice.subject()).isEqualTo("tripoli");
        assertThat(notice.value()).isEqualTo(1234.0);
        assertThat(notice.tags()).containsEntry("set_aside_event_id", "gw/queue-surge/cnt-01/1")
                .containsEntry("reason", "too_large");
        assertThat(text(received(store).get(0))).startsWith("alert,").contains("outbox-dead-letter");
        assertThat(received(tripoli)).as("the centre that set it aside").isEmpty();
        assertThat(received(partner)).as("the partner's routing admits one other rule only").isEmpty();
        assertThat(live.alerts().recent()).as("a set-aside notice is not shown on the status page").isEmpty();
    }

    @Test
    void aNoticeBeforeThePipelineIsBuiltWaitsForIt() throws Exception {
        overflow.evicted("store/readings", 5);
        assertThat(received(tripoli)).isEmpty();

        buildPipeline();
        await().atMost(Duration.ofSeconds(10)).until(() -> received(tripoli).size() == 1);
        assertThat(AlertJson.decode(received(tripoli).get(0).payload()).subject()).isEqualTo("store");
    }

    /** Everything durable in {@code q} so far, accumulated over calls. */
    private List<OutboxRecord> received(DestinationQueue q) throws Exception {
        List<OutboxRecord> all = received.computeIfAbsent(q, k -> new ArrayList<>());
        List<OutboxRecord> batch;
        while (!(batch = q.poll(1000, 1 << 20, 100, TimeUnit.MILLISECONDS)).isEmpty()) {
            all.addAll(batch);
            q.acknowledge(batch.get(batch.size() - 1).seq() + 1);
        }
        return all;
    }

    private static String text(OutboxRecord r) {
        return new String(r.payload(), StandardCharsets.UTF_8);
    }
}
