package org.limes.gateway.pipeline;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.limes.gateway.live.LiveMetrics;
import org.limes.gateway.live.LiveView;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.picture.PictureStore;
import org.limes.gateway.rules.AlertStateStore;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.rules.RuleMetrics;

/**
 * Assembles a {@link Pipeline} ({@link Pipeline#builder()}): each part named, the optional
 * ones with a default. Required: {@link #gateway}, {@link #config}, {@link #inventory},
 * {@link #clock}, {@link #alertState}, {@link #ruleMetrics}, {@link #store},
 * {@link #committer}, {@link #metrics}. Used on one thread, once.
 */
public final class PipelineBuilder {

    String gateway;
    PipelineConfig config;
    LimitsConfig limits = LimitsConfig.defaults();
    Inventory inventory;
    List<RuleConfig> rules = List.of();
    Clock clock;
    AlertStateStore alertState;
    RuleMetrics ruleMetrics;
    Destination store;
    List<Destination> centres = List.of();
    OutboxCommitter committer;
    FrameLog frameLog;
    PipelineMetrics metrics;
    LiveView live;
    PictureStore pictures;
    DeliveryAlerts deliveryAlerts;

    PipelineBuilder() {
    }

    /** This gateway's name: in alert ids, and carried by each alert sent to a centre. */
    public PipelineBuilder gateway(String gateway) {
        this.gateway = gateway;
        return this;
    }

    /** How many shards, and each one's queue capacity. */
    public PipelineBuilder config(PipelineConfig config) {
        this.config = config;
        return this;
    }

    /** The reading limits admission applies, and each device's rate; default {@link LimitsConfig#defaults()}. */
    public PipelineBuilder limits(LimitsConfig limits) {
        this.limits = limits;
        return this;
    }

    /** The devices the gateway knows, and whether it accepts unknown ones. */
    public PipelineBuilder inventory(Inventory inventory) {
        this.inventory = inventory;
        return this;
    }

    /** The rules, already checked by the configuration loader; default none. */
    public PipelineBuilder rules(List<RuleConfig> rules) {
        this.rules = List.copyOf(rules);
        return this;
    }

    /** Gateway time for the rules (hold times, deadman, alert times) and the rate limits. */
    public PipelineBuilder clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Where open alert episodes are kept across restarts. */
    public PipelineBuilder alertState(AlertStateStore alertState) {
        this.alertState = alertState;
        return this;
    }

    public PipelineBuilder ruleMetrics(RuleMetrics ruleMetrics) {
        this.ruleMetrics = ruleMetrics;
        return this;
    }

    /** The store: receives every reading and alert its routing admits. */
    public PipelineBuilder store(Destination store) {
        this.store = store;
        return this;
    }

    /** The centres: each receives the alerts its routing admits; default none. */
    public PipelineBuilder centres(List<Destination> centres) {
        this.centres = List.copyOf(centres);
        return this;
    }

    /** Runs each frame's acknowledgement once what it produced is durable. */
    public PipelineBuilder committer(OutboxCommitter committer) {
        this.committer = committer;
        return this;
    }

    /**
     * Cluster mode: admitted frames go to this log instead of the shards, and are acknowledged
     * when it has them (optional; absent in single-process mode).
     */
    public PipelineBuilder frameLog(FrameLog frameLog) {
        this.frameLog = frameLog;
        return this;
    }

    public PipelineBuilder metrics(PipelineMetrics metrics) {
        this.metrics = metrics;
        return this;
    }

    /**
     * The status page's view, fed with every reading after the rules ran and every alert
     * transition; default a view of its own.
     */
    public PipelineBuilder live(LiveView live) {
        this.live = live;
        return this;
    }

    /**
     * Keeps or drops the pictures that come with readings (camera reads) before the reading
     * goes on; default one that drops them.
     */
    public PipelineBuilder pictures(PictureStore pictures) {
        this.pictures = pictures;
        return this;
    }

    /** Raises the outboxes' overflow and set-aside notices through this pipeline's fan-out; default none. */
    public PipelineBuilder deliveryAlerts(DeliveryAlerts deliveryAlerts) {
        this.deliveryAlerts = deliveryAlerts;
        return this;
    }

    /**
     * Builds the shards and their rule engines and loads the persisted open alerts; the
     * pipeline takes nothing until {@link Pipeline#start()}.
     *
     * @throws IOException when the persisted alert state cannot be read
     */
    public Pipeline build() throws IOException {
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(inventory, "inventory");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(alertState, "alertState");
        Objects.requireNonNull(ruleMetrics, "ruleMetrics");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(committer, "committer");
        Objects.requireNonNull(metrics, "metrics");
        if (live == null) {
            live = new LiveView(inventory, Pipeline.MAX_UNKNOWN_DEVICES, clock, new LiveMetrics(metrics.registry()));
        }
        if (pictures == null) {
            pictures = PictureStore.dropping(metrics.registry());
        }
        return new Pipeline(this);
    }
}
