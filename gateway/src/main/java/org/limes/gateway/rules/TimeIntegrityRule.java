package org.limes.gateway.rules;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.limes.drivers.Reading;

/**
 * Watches each device's clock: its offset is the reading's device time minus the
 * gateway's receive time (milliseconds; positive = the device is ahead).
 *
 * <pre>
 *  offset:   −max_lag ········ −max_skew ···· 0 ···· +max_skew ········
 *            quarantined │ behind, kept │   in sync   │ quarantined (ahead)
 * </pre>
 *
 * Worked example, {@code max_skew: 30s, jump: 5m}: a counter at offset +0.4 s (in sync)
 * sends a reading stamped 06:10:00 that arrives at 06:03:59.6 — offset +6 min: a change of
 * 6 min &gt; 5 min out of sync, so {@code clock-jump} is raised (value 360.4 s) and, being
 * more than 30 s ahead, the reading is quarantined. When its readings are within 30 s
 * again, the alert clears.
 *
 * <p>A device's first reading since start-up has no previous offset: it raises when it is
 * quarantined (threshold {@code max_skew} ahead, {@code max_lag} behind), so a device whose
 * clock is wrong from the start is seen too.
 *
 * <p>The engine calls {@link #evaluate} with the reading as received, before it records
 * the new offset in {@link DeviceTable} (so the table still holds the previous one), and
 * asks {@link #quarantines} what to do with the reading. No allocation per reading.
 * Shard-confined (see {@link Rule}).
 */
public final class TimeIntegrityRule implements Rule {

    private static final int STATE_BYTES = 1 + Long.BYTES;

    private final TimeIntegrityRuleConfig config;
    private final DeviceTable devices;
    private final long maxSkewMs;
    private final long maxLagMs;
    private final long jumpMs;
    private Alert[] open = new Alert[0];

    public TimeIntegrityRule(TimeIntegrityRuleConfig config, DeviceTable devices) {
        this.config = config;
        this.devices = devices;
        this.maxSkewMs = config.maxSkewMs();
        this.maxLagMs = config.maxLagMs();
        this.jumpMs = config.jumpMs();
    }

    @Override
    public String id() {
        return config.id();
    }

    @Override
    public RuleConfig config() {
        return config;
    }

    /** True when a reading with this offset is quarantined. */
    public boolean quarantines(long offsetMs) {
        return offsetMs > maxSkewMs || offsetMs < -maxLagMs;
    }

    /** True when quarantined readings are dropped rather than stored with gateway time. */
    public boolean drops() {
        return config.drops();
    }

    private boolean inSync(long offsetMs) {
        return Math.abs(offsetMs) <= maxSkewMs;
    }

    @Override
    public void evaluate(Reading r, int d, long nowMs, List<Alert> out) {
        long offset = r.deviceTime().toEpochMilli() - r.receivedAt().toEpochMilli();
        if (d >= open.length) {
            open = Arrays.copyOf(open, Math.max(d + 1, Math.max(16, devices.size())));
        }
        if (open[d] != null) {
            if (inSync(offset)) {
                Instant now = Instant.ofEpochMilli(nowMs);
                out.add(open[d].cleared(offset / 1000.0, maxSkewMs / 1000.0, now, now, null));
                open[d] = null;
            }
            return;
        }
        if (!devices.offsetKnown(d)) {
            // The first reading since start-up has no offset to jump from: a device whose clock
            // is wrong from the start is raised when its readings are quarantined.
            if (quarantines(offset)) {
                raise(r, d, offset, offset > 0 ? maxSkewMs : maxLagMs, nowMs, out);
            }
            return;
        }
        long previous = devices.offsetMs(d);
        if (inSync(previous) && !inSync(offset) && Math.abs(offset - previous) > jumpMs) {
            raise(r, d, offset, jumpMs, nowMs, out);
        }
    }

    private void raise(Reading r, int d, long offset, long levelMs, long nowMs, List<Alert> out) {
        String device = devices.id(d);
        Instant now = Instant.ofEpochMilli(nowMs);
        Alert a = Alert.builder()
                .alertId(Alert.episodeId(devices.gateway(), config.id(), device, r.deviceTime().toEpochMilli()))
                .rule(config.id()).state(AlertState.RAISED).severity(config.severity()).site(devices.site(d))
                .device(device).subjectKind(Alert.DEVICE).subject(device).kind(r.kind()).field("clock_offset_s")
                .value(offset / 1000.0).threshold(levelMs / 1000.0).firstSeen(now).lastSeen(now).raisedAt(now).at(now)
                .tags(r.tags()).build();
        open[d] = a;
        out.add(a);
    }

    @Override
    public void tick(long nowMs, List<Alert> out) {
        // Clock jumps are seen in readings only.
    }

    /**
     * Cluster mode: the device's last clock offset, so the next owner sees a jump from it (a
     * device that was in sync and now is minutes behind, still kept) rather than a first
     * reading. Version 1: {@code 1}, the offset (i64, ms); null while none is known.
     */
    @Override
    public byte[] saveDevice(int d) {
        if (d >= devices.size() || !devices.offsetKnown(d)) {
            return null;
        }
        return ByteBuffer.allocate(STATE_BYTES).put((byte) 1).putLong(devices.offsetMs(d)).array();
    }

    @Override
    public void loadDevice(int d, byte[] state) {
        if (state.length != STATE_BYTES || state[0] != 1 || d >= devices.size() || devices.offsetKnown(d)) {
            // Unreadable, or a reading here already set a newer offset: the device goes on without it.
            return;
        }
        devices.offset(d, ByteBuffer.wrap(state, 1, Long.BYTES).getLong());
    }

    @Override
    public boolean restore(Alert alert) {
        int d = devices.indexOf(alert.subject());
        if (d < 0) {
            return false;
        }
        if (d >= open.length) {
            open = Arrays.copyOf(open, Math.max(d + 1, Math.max(16, devices.size())));
        }
        open[d] = alert;
        return true;
    }
}
