package org.limes.gateway.pipeline;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.limes.gateway.live.LiveView;
import org.limes.gateway.outbox.DeadLetters;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.outbox.OverflowAlerts;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertState;

/**
 * The alerts the delivery side raises about itself, sent like every other alert through the
 * pipeline's {@link FanOut}, so each destination's routing and pseudonymising apply to them:
 *
 * <ul>
 *   <li>{@code outbox-overflow} ({@link #overflow}): a destination is losing records to its
 *       outbox limits; raised on the first eviction, cleared once it has caught up. Also shown
 *       on the status page.
 *   <li>{@code outbox-dead-letter} ({@link #setAside}): an alert was set aside at one centre,
 *       so that centre will never see it and its operators must hear of it another way; raised
 *       to the other destinations. A notice, nothing clears it.
 * </ul>
 *
 * <p>Fed by {@link OverflowAlerts} (pass {@code deliveryAlerts::overflow} and
 * {@code deliveryAlerts::setAside}), and called on its thread only. The outboxes, and so
 * {@link OverflowAlerts}, exist before the pipeline that fans out to them; a notice that comes
 * before the pipeline is built ({@link PipelineBuilder#deliveryAlerts}) waits for it on that
 * thread, which may wait (its own notice queue is bounded and counts what it drops).
 */
public final class DeliveryAlerts {

    /** The rule of the overflow alert. */
    public static final String OVERFLOW_RULE = "outbox-overflow";
    /** The rule of the notice raised to the other destinations when one sets an alert aside. */
    public static final String SET_ASIDE_RULE = "outbox-dead-letter";

    private final String gateway;
    private final CountDownLatch bound = new CountDownLatch(1);
    private volatile FanOut fanOut;
    private volatile LiveView live;

    /** @param gateway this gateway's name: the site of these alerts, and part of their ids */
    public DeliveryAlerts(String gateway) {
        this.gateway = gateway;
    }

    /** Called once by the {@link PipelineBuilder}: from now on notices go out. */
    void bind(FanOut fanOut, LiveView live) {
        this.live = live;
        this.fanOut = fanOut;
        bound.countDown();
    }

    /**
     * An overflow episode of {@code destination} was raised or cleared: one alert transition to
     * every destination whose routing admits it (the overflowing one included: its records may
     * still arrive), and to the status page.
     *
     * @param lostRecords records lost in this episode so far
     */
    public void overflow(String destination, boolean raised, long lostRecords, long raisedAtMillis, long atMillis)
            throws InterruptedException {
        Instant raisedAt = Instant.ofEpochMilli(raisedAtMillis);
        Instant at = Instant.ofEpochMilli(atMillis);
        Alert a = Alert.builder()
                .alertId(gateway + "/" + OVERFLOW_RULE + "/" + destination + "/" + raisedAtMillis)
                .rule(OVERFLOW_RULE).state(raised ? AlertState.RAISED : AlertState.CLEARED).severity("critical")
                .site(gateway).device(destination).subjectKind("destination").subject(destination).kind("outbox")
                .field("lost_records").value(lostRecords).threshold(0)
                .firstSeen(raisedAt).lastSeen(at).raisedAt(raisedAt).at(at)
                .reason(raised ? null : "caught_up")
                .tags(Map.of("destination", destination))
                .build();
        bound.await();
        fanOut.alert(a);
        live.alert(a);
    }

    /**
     * A record set aside at one destination. An alert set aside at a centre is raised to the
     * other centres and the store (routing permitting), named by the centre and the record's
     * sequence number, so a redelivery has the same id. Nothing is raised for a reading, for
     * what the store sets aside, or for a set-aside notice itself (two centres that refuse
     * everything must not bounce notices between them).
     */
    public void setAside(DeadLetters.SetAside s) throws InterruptedException {
        if (s.type() != OutboxRecord.ALERT || SET_ASIDE_RULE.equals(s.rule())) {
            return;
        }
        bound.await();
        if (fanOut.isStore(s.destination())) {
            return;
        }
        Instant at = Instant.ofEpochMilli(s.atMillis());
        Alert a = Alert.builder()
                .alertId(gateway + "/" + SET_ASIDE_RULE + "/" + s.destination() + "/" + s.seq())
                .rule(SET_ASIDE_RULE).state(AlertState.RAISED).severity("critical")
                .site(gateway).device(s.destination()).subjectKind("destination").subject(s.destination())
                .kind("outbox").field("set_aside_bytes").value(s.bytes()).threshold(0)
                .firstSeen(at).lastSeen(at).raisedAt(at).at(at)
                .reason(s.reason())
                .tags(Map.of("destination", s.destination(), "reason", s.reason(), "set_aside_event_id", s.id()))
                .build();
        fanOut.alert(a, s.destination());
    }
}
