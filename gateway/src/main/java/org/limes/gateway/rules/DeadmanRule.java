package org.limes.gateway.rules;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.limes.drivers.Reading;

/**
 * Raises when a watched device has been silent for longer than its expected interval,
 * and clears on its next reading (of any kind).
 *
 * <p>"Last heard" is kept by the engine for every device in {@link DeviceTable} (gateway
 * time; start-up counts as heard, so a device never heard from raises one interval after
 * start-up — the first start-up that armed it, which {@link RuleEngine#arm} keeps across
 * restarts, so the episode's id does not change with a restart). A device heard before a
 * restart counts from its last report as persisted ({@link RuleEngine#restoreLastHeard}),
 * plus a grace for how far that save may lag, so the silence it reports (raise and clear)
 * spans the restart. The rule only keeps one open episode per device: no allocation per reading.
 * Watched devices are the shard's inventory devices of the rule's class that have an
 * expected interval (the configuration check makes sure they all do).
 *
 * <p>Alert: {@code kind} {@code any}, {@code field} {@code silence_s}, {@code value} the
 * seconds of silence, {@code threshold} the expected interval in seconds; the episode id's
 * millis are when the device became overdue. Shard-confined (see {@link Rule}).
 *
 * <p>Only a reading of a device with an open episode does anything, so the engine counts
 * the open episodes of all its deadman rules per device in one {@link DeviceCounts} and
 * visits them only for a device whose count is above 0.
 */
public final class DeadmanRule implements Rule {

    private final DeadmanRuleConfig config;
    private final DeviceTable devices;
    private final int[] watched;
    private final boolean[] isWatched;
    private final Alert[] open;
    /** Where the rule counts its open episodes per device; null when on its own. */
    private DeviceCounts openCounts;

    public DeadmanRule(DeadmanRuleConfig config, DeviceTable devices) {
        this.config = config;
        this.devices = devices;
        int n = devices.inventorySize();
        this.isWatched = new boolean[n];
        int count = 0;
        int[] list = new int[n];
        for (int d = 0; d < n; d++) {
            if (devices.expectedIntervalMs(d) > 0 && config.watches(devices.tags(d).get("device_class"))) {
                isWatched[d] = true;
                list[count++] = d;
            }
        }
        this.watched = Arrays.copyOf(list, count);
        this.open = new Alert[n];
    }

    @Override
    public String id() {
        return config.id();
    }

    @Override
    public RuleConfig config() {
        return config;
    }

    /** Counts its open episodes into {@code counts} from now on (and those open now). */
    void join(DeviceCounts counts) {
        openCounts = counts;
        for (int d = 0; d < open.length; d++) {
            if (open[d] != null) {
                counts.add(d);
            }
        }
    }

    @Override
    public void evaluate(Reading reading, int d, long nowMs, List<Alert> out) {
        if (d >= open.length || open[d] == null) {
            return;
        }
        double silence = (nowMs - devices.lastHeardMs(d)) / 1000.0;
        Instant now = Instant.ofEpochMilli(nowMs);
        out.add(open[d].cleared(silence, devices.expectedIntervalMs(d) / 1000.0, now, now, null));
        open[d] = null;
        if (openCounts != null) {
            openCounts.remove(d);
        }
    }

    @Override
    public void tick(long nowMs, List<Alert> out) {
        for (int d : watched) {
            long interval = devices.expectedIntervalMs(d);
            long heard = devices.lastHeardMs(d);
            long due = interval + devices.graceMs(d);
            if (open[d] == null && nowMs - heard > due) {
                String device = devices.id(d);
                Instant now = Instant.ofEpochMilli(nowMs);
                long overdueMs = heard + due;
                Alert a = Alert.builder().alertId(Alert.episodeId(devices.gateway(), config.id(), device, overdueMs))
                        .rule(config.id()).state(AlertState.RAISED).severity(config.severity()).site(devices.site(d))
                        .device(device).subjectKind(Alert.DEVICE).subject(device).kind("any").field("silence_s")
                        .value((nowMs - heard) / 1000.0).threshold(interval / 1000.0)
                        .firstSeen(Instant.ofEpochMilli(overdueMs)).lastSeen(now).raisedAt(now).at(now)
                        .tags(devices.tags(d)).build();
                open[d] = a;
                if (openCounts != null) {
                    openCounts.add(d);
                }
                out.add(a);
            }
        }
    }

    @Override
    public boolean restore(Alert alert) {
        int d = devices.indexOf(alert.subject());
        if (d < 0 || d >= isWatched.length || !isWatched[d]) {
            return false;
        }
        if (open[d] == null && openCounts != null) {
            openCounts.add(d);
        }
        open[d] = alert;
        return true;
    }

    /** Devices this rule watches on its shard. */
    public int watchedDevices() {
        return watched.length;
    }
}
