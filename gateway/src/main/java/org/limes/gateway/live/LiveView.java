package org.limes.gateway.live;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.ratelimit.LogLimiter;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.rules.GeofenceZone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway sees right now, for the admin API and the status page: per device the
 * latest reading of each kind, when it was last heard, its clock offset and its state
 * ({@link DeviceState}); the open alert episodes and the most recent transitions; the
 * ingest rate.
 *
 * <p>Fed from the pipeline shards: {@link #reading} once per reading after the rules ran,
 * {@link #alert} once per alert transition. A device's readings all come from the one shard
 * that owns it, so a device's slot has one writer; the update is two map lookups, a few
 * volatile writes and the latest reading of its kind overwritten in place under that kind's
 * uncontended lock ({@link LatestValues}: nothing of the reading is kept, so it leaves no
 * per-device garbage behind for the collector). Readers ({@link #devices}, {@link #latest},
 * {@link #alerts}) build snapshots on the admin thread; each latest reading they get is one
 * whole reading, but a device's state and last-heard time may be from the reading before:
 * good enough to look at, never used for decisions.
 *
 * <p>Bounded: every inventory device has a slot; accepted unknown devices get one up to
 * {@code maxUnknownDevices}, after which they are not shown (counted,
 * {@code limes.dropped{component=live,reason=live_devices_full}}, logged once a minute);
 * a device keeps its latest reading for at most {@value #MAX_KINDS_PER_DEVICE} kinds; at most
 * {@value #MAX_OPEN_ALERTS} open episodes and the last {@value #RECENT_ALERTS} transitions
 * are kept. It must never block or throw into the pipeline.
 *
 * <p>For the status page's map ({@link #map}) it also keeps the geofence zones in force, each
 * inventory device's location, and the live radar tracks ({@link TrackTrails}: at most
 * {@value #MAX_TRACKS} tracks of {@value #MAX_TRACK_POINTS} positions); for its sparklines, each
 * device's readings per second over the last ten minutes ({@link RateRing}, fixed size per device).
 */
public final class LiveView {

    public static final int MAX_KINDS_PER_DEVICE = 16;
    public static final int MAX_OPEN_ALERTS = 10_000;
    public static final int RECENT_ALERTS = 200;
    public static final int MAX_TRACKS = 256;
    public static final int MAX_TRACK_POINTS = 64;
    /** Open alerts {@code /api/map} places at most; beyond, counted in its {@code alerts_cut}. */
    public static final int MAX_MAP_ALERTS = 1_000;
    /** Bytes of a device's last frame kept for the status page (the rest is counted, not kept). */
    public static final int FRAME_SAMPLE_BYTES = 1024;
    /** Decoded readings of that frame kept. */
    public static final int FRAME_SAMPLE_READINGS = 8;
    /** A device's frame is sampled at most this often. */
    static final long FRAME_SAMPLE_MS = 1000;
    /** A track not heard for this long leaves the map. */
    static final long TRACK_EXPIRY_MS = 120_000;
    static final String DEVICE_HEALTH = "device_health";
    private static final String QUARANTINE_TAG = "quarantine";
    private static final int RATE_WINDOW_S = 10;
    private static final int RATE_SLOTS = 16;
    private static final Logger LOG = LoggerFactory.getLogger(LiveView.class);

    private final Clock clock;
    private final long startedMs;
    private final int maxUnknownDevices;
    private final LiveMetrics metrics;
    private final ConcurrentMap<String, DeviceSlot> devices = new ConcurrentHashMap<>();
    private final AtomicInteger unknownDevices = new AtomicInteger();
    private final ConcurrentMap<String, Alert> open = new ConcurrentHashMap<>();
    private final Deque<Alert> recent = new ArrayDeque<>(RECENT_ALERTS);
    private final AtomicLongArray rateSecond = new AtomicLongArray(RATE_SLOTS);
    private final AtomicLongArray rateCount = new AtomicLongArray(RATE_SLOTS);
    private final LogLimiter fullLog = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 16);
    private final TrackTrails tracks;
    private volatile List<ZoneView> zones = List.of();

    /**
     * @param inventory          the configured devices: each gets a slot at once
     * @param maxUnknownDevices  slots for accepted devices not in the inventory
     * @param clock              gateway time: last seen, silence, ingest rate
     */
    public LiveView(Inventory inventory, int maxUnknownDevices, Clock clock, LiveMetrics metrics) {
        this.clock = clock;
        this.startedMs = clock.millis();
        this.maxUnknownDevices = maxUnknownDevices;
        this.metrics = metrics;
        this.tracks = new TrackTrails(MAX_TRACKS, MAX_TRACK_POINTS, TRACK_EXPIRY_MS, () -> {
            metrics.mapTracksFull();
            logFull("tracks", "more than " + MAX_TRACKS + " live radar tracks; the map drops the least recently "
                    + "heard");
        });
        for (String id : inventory.ids()) {
            Map<String, String> tags = inventory.tags(id);
            DeviceSlot slot = new DeviceSlot(id, inventory.site(id), tags.get("device_class"), tags.get("lane"), true,
                    inventory.expectedIntervalMs(id));
            slot.lat = degrees(tags.get("lat"));
            slot.lon = degrees(tags.get("lon"));
            devices.put(id, slot);
        }
        metrics.gauges(devices::size, open::size);
    }

    /**
     * One reading after the rules ran.
     *
     * @param reading the normalised reading as received
     * @param stored  what the pipeline stores: the same reading, a quarantined copy, or null
     *                when the time-integrity rule dropped it
     */
    public void reading(Reading reading, Reading stored) {
        long now = clock.millis();
        countRate(now);
        Reading shown = stored == null ? reading : stored;
        if (TrackTrails.KIND.equals(shown.kind())) {
            tracks.reading(shown, now);
        }
        DeviceSlot slot = slot(reading);
        if (slot == null) {
            return;
        }
        slot.rates.count(now);
        slot.lastSeenMs = now;
        slot.skewMs = reading.deviceTime().toEpochMilli() - reading.receivedAt().toEpochMilli();
        slot.quarantined = stored == null || stored.tags().containsKey(QUARANTINE_TAG);
        slot.readings++;
        if (DEVICE_HEALTH.equals(reading.kind())) {
            slot.healthFault = reportsFault(reading);
        }
        LatestValues latest = slot.lastValues;
        if (latest == null || !latest.kind().equals(shown.kind())) {
            latest = slot.latest.get(shown.kind());
        }
        if (latest == null) {
            if (slot.latest.size() >= MAX_KINDS_PER_DEVICE) {
                metrics.kindsFull();
                logFull("kinds", "device " + reading.deviceId() + " reports more than " + MAX_KINDS_PER_DEVICE
                        + " kinds; the status page shows the first ones only");
                return;
            }
            latest = new LatestValues(shown.kind());
            slot.latest.put(shown.kind(), latest);
        }
        latest.update(shown);
        slot.lastValues = latest;
    }

    /** One alert transition: a raise opens an episode, a clear closes it; both enter the recent list. */
    public void alert(Alert a) {
        if (a.state() == AlertState.RAISED) {
            if (open.size() >= MAX_OPEN_ALERTS && !open.containsKey(a.alertId())) {
                metrics.alertsFull();
                logFull("alerts", "more than " + MAX_OPEN_ALERTS + " open alerts; the status page shows the first ones");
            } else {
                open.put(a.alertId(), a);
            }
        } else {
            open.remove(a.alertId());
        }
        synchronized (recent) {
            if (recent.size() == RECENT_ALERTS) {
                recent.removeLast();
            }
            recent.addFirst(a);
        }
    }

    /** Episodes that were open when the gateway stopped and are restored at start (no transition is emitted for them). */
    public void restore(Collection<Alert> persisted) {
        for (Alert a : persisted) {
            if (a.state() == AlertState.RAISED && open.size() < MAX_OPEN_ALERTS) {
                open.put(a.alertId(), a);
            }
        }
    }

    /** Every device, worst state first, then by id. */
    public List<DeviceStatus> devices() {
        long now = clock.millis();
        List<DeviceStatus> out = new ArrayList<>(devices.size());
        for (DeviceSlot s : devices.values()) {
            out.add(s.status(now, startedMs));
        }
        out.sort(Comparator.comparing((DeviceStatus d) -> DeviceState.valueOf(d.state().toUpperCase(
                java.util.Locale.ROOT))).thenComparing(DeviceStatus::id));
        return out;
    }

    /** The latest reading of each kind of each device, by device id. */
    public Map<String, List<LatestReading>> latest() {
        Map<String, List<LatestReading>> out = new java.util.TreeMap<>();
        for (DeviceSlot s : devices.values()) {
            if (s.latest.isEmpty()) {
                continue;
            }
            out.put(s.id, s.latestReadings());
        }
        return out;
    }

    /** The open episodes (newest first) and the last transitions (newest first). */
    public AlertsSnapshot alerts() {
        List<AlertView> openViews = open.values().stream()
                .sorted(Comparator.comparing(Alert::raisedAt).reversed().thenComparing(Alert::alertId))
                .map(AlertView::of).toList();
        List<AlertView> recentViews;
        synchronized (recent) {
            recentViews = recent.stream().map(AlertView::of).toList();
        }
        return new AlertsSnapshot(openViews, recentViews);
    }

    /**
     * A frame taken into the pipeline and what its driver decoded from it, before the inventory
     * normalised it: kept per device, sampled at most once a second, the first
     * {@value #FRAME_SAMPLE_BYTES} bytes and {@value #FRAME_SAMPLE_READINGS} readings, for the
     * status page's commissioning check (is this device's clock, unit and id what I think).
     * Called on the source's thread; a map lookup and a volatile read when not sampling, a copy
     * of the frame's head into the device's own buffer when sampling ({@link FrameSlot}: nothing
     * of the frame is kept, the text is made on request).
     */
    public void frame(Frame frame, String driver, List<Reading> decoded) {
        long now = clock.millis();
        String last = null;
        for (Reading r : decoded) {
            String id = r.deviceId();
            if (id.equals(last)) {
                continue;
            }
            last = id;
            DeviceSlot slot = devices.get(id);
            if (slot == null || now - slot.frameSampledMs < FRAME_SAMPLE_MS) {
                continue;
            }
            slot.frameSampledMs = now;
            slot.lastFrame.update(frame, driver, decoded, id);
        }
    }

    /** {@code /api/frames/<device>}: its last sampled frame and latest normalised readings; null when unknown. */
    public DeviceFrame deviceFrame(String id) {
        DeviceSlot s = devices.get(id);
        if (s == null) {
            return null;
        }
        return new DeviceFrame(s.id, s.lastFrame.sample(), s.latestReadings());
    }

    /**
     * The geofence zones in force, by rule; replaced whole at start and on each rules reload.
     */
    public void zones(Map<String, List<GeofenceZone>> byRule) {
        List<ZoneView> out = new ArrayList<>();
        byRule.forEach((rule, list) -> list.forEach(z -> out.add(ZoneView.of(rule, z))));
        zones = List.copyOf(out);
    }

    /**
     * What the status page's map draws: the zones, every device with a location (its class and
     * state), the live radar tracks, and the open alerts that have a position (an alert's
     * {@code lat}/{@code lon} tags — where a geofence track entered, or the inventory location of
     * the device — else its device's location). Bounded: {@value #MAX_TRACKS} tracks of
     * {@value #MAX_TRACK_POINTS} points, {@value #MAX_MAP_ALERTS} alerts; what was cut is counted.
     */
    public MapSnapshot map() {
        long now = clock.millis();
        List<DeviceMarker> markers = new ArrayList<>();
        for (DeviceSlot s : devices.values()) {
            if (s.lat != null && s.lon != null) {
                DeviceStatus st = s.status(now, startedMs);
                markers.add(new DeviceMarker(s.id, s.deviceClass, s.lane, s.lat, s.lon, st.state(), st.stateReason()));
            }
        }
        markers.sort(Comparator.comparing(DeviceMarker::id));
        List<AlertMarker> alerts = new ArrayList<>();
        long alertsCut = 0;
        long unplaced = 0;
        List<Alert> openNow = open.values().stream().sorted(Comparator.comparing(Alert::raisedAt).reversed()
                .thenComparing(Alert::alertId)).toList();
        for (Alert a : openNow) {
            Double lat = degrees(a.tags().get("lat"));
            Double lon = degrees(a.tags().get("lon"));
            DeviceSlot s = a.device() == null ? null : devices.get(a.device());
            if ((lat == null || lon == null) && s != null) {
                lat = s.lat;
                lon = s.lon;
            }
            if (lat == null || lon == null) {
                unplaced++;
            } else if (alerts.size() >= MAX_MAP_ALERTS) {
                alertsCut++;
            } else {
                alerts.add(new AlertMarker(a.alertId(), a.rule(), a.severity(), new Subject(a.subjectKind(),
                        a.subject()), a.device(), a.tags().get("zone"), lat, lon, a.raisedAt().toString()));
            }
        }
        return new MapSnapshot(zones, markers, tracks.snapshot(now), alerts,
                new MapLimits(MAX_TRACKS, MAX_TRACK_POINTS, MAX_MAP_ALERTS), tracks.tracksCut(), tracks.pointsCut(),
                alertsCut, unplaced);
    }

    /**
     * Each device's readings per second in the {@value RateRing#BUCKETS} whole
     * {@value RateRing#BUCKET_S}-second buckets before now, oldest first, by device id.
     */
    public Sparklines sparklines() {
        long now = clock.millis();
        Map<String, double[]> out = new java.util.TreeMap<>();
        for (DeviceSlot s : devices.values()) {
            out.put(s.id, s.rates.perSecond(now));
        }
        return new Sparklines(RateRing.BUCKET_S, RateRing.BUCKETS, out);
    }

    /** Readings per second over the last {@value #RATE_WINDOW_S} whole seconds (approximate under contention). */
    public double ingestRatePerSecond() {
        long second = clock.millis() / 1000;
        long sum = 0;
        for (long s = second - RATE_WINDOW_S; s < second; s++) {
            int i = (int) Math.floorMod(s, (long) RATE_SLOTS);
            if (rateSecond.get(i) == s) {
                sum += rateCount.get(i);
            }
        }
        return sum / (double) RATE_WINDOW_S;
    }

    private void countRate(long nowMs) {
        long second = nowMs / 1000;
        int i = (int) Math.floorMod(second, (long) RATE_SLOTS);
        long was = rateSecond.get(i);
        if (was != second && rateSecond.compareAndSet(i, was, second)) {
            rateCount.set(i, 0);
        }
        rateCount.incrementAndGet(i);
    }

    /** A latitude or longitude tag, or null when absent or not a finite number. */
    private static Double degrees(String text) {
        if (text == null) {
            return null;
        }
        try {
            double v = Double.parseDouble(text);
            return Double.isFinite(v) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private DeviceSlot slot(Reading r) {
        DeviceSlot slot = devices.get(r.deviceId());
        if (slot != null) {
            return slot;
        }
        if (unknownDevices.incrementAndGet() > maxUnknownDevices) {
            unknownDevices.decrementAndGet();
            metrics.devicesFull();
            logFull("devices", "more than " + maxUnknownDevices + " devices outside the inventory; device "
                    + r.deviceId() + " and later ones are not shown on the status page");
            return null;
        }
        DeviceSlot fresh = new DeviceSlot(r.deviceId(), r.site(), null, r.tags().get("lane"), false, 0);
        DeviceSlot raced = devices.putIfAbsent(r.deviceId(), fresh);
        if (raced != null) {
            unknownDevices.decrementAndGet();
            return raced;
        }
        return fresh;
    }

    private void logFull(String what, String message) {
        if (fullLog.allow(what, System.nanoTime())) {
            LOG.warn("live view: {} (counted in limes.dropped{component=live}, logged once a minute)", message);
        }
    }

    /**
     * A health reading reports a fault when it says {@code online=false}, {@code ok=false},
     * {@code fault=true}, or a {@code status} of {@code fault}, {@code error} or {@code failed}.
     */
    static boolean reportsFault(Reading r) {
        Map<String, Object> f = r.fields();
        if (Boolean.FALSE.equals(f.get("online")) || Boolean.FALSE.equals(f.get("ok"))
                || Boolean.TRUE.equals(f.get("fault"))) {
            return true;
        }
        Object status = f.get("status");
        return status instanceof String s && (s.equalsIgnoreCase("fault") || s.equalsIgnoreCase("error")
                || s.equalsIgnoreCase("failed"));
    }

    /** One device's slot; written by its pipeline shard only. */
    private static final class DeviceSlot {
        final String id;
        final String site;
        final String deviceClass;
        final String lane;
        final boolean inInventory;
        final long expectedIntervalMs;
        /** By kind, at most {@value #MAX_KINDS_PER_DEVICE}; each overwritten in place by the device's next reading. */
        final Map<String, LatestValues> latest = new ConcurrentHashMap<>();
        /** The kind this device reported last, so a device of one kind skips the map: the writer's only. */
        LatestValues lastValues;
        final RateRing rates = new RateRing();
        Double lat;
        Double lon;
        volatile long lastSeenMs = -1;
        volatile long skewMs;
        volatile boolean quarantined;
        volatile boolean healthFault;
        volatile long readings;
        volatile long frameSampledMs = Long.MIN_VALUE / 2;
        final FrameSlot lastFrame = new FrameSlot();

        DeviceSlot(String id, String site, String deviceClass, String lane, boolean inInventory,
                long expectedIntervalMs) {
            this.id = id;
            this.site = site;
            this.deviceClass = deviceClass;
            this.lane = lane;
            this.inInventory = inInventory;
            this.expectedIntervalMs = expectedIntervalMs;
        }

        /** The latest reading of each kind, by kind. */
        List<LatestReading> latestReadings() {
            List<LatestReading> values = new ArrayList<>(latest.size());
            for (LatestValues v : latest.values()) {
                values.add(v.view());
            }
            values.sort(Comparator.comparing(LatestReading::kind));
            return values;
        }

        DeviceStatus status(long now, long startedMs) {
            long seen = lastSeenMs;
            DeviceState state;
            String reason;
            if (seen >= 0 && quarantined) {
                state = DeviceState.FAULTY;
                reason = "clock offset " + skewMs / 1000.0 + " s is beyond the time-integrity limits";
            } else if (seen >= 0 && healthFault) {
                state = DeviceState.FAULTY;
                reason = "its health reading reports a fault";
            } else if (expectedIntervalMs > 0 && (seen >= 0 ? now - seen : now - startedMs) > expectedIntervalMs) {
                state = DeviceState.SILENT;
                reason = (seen >= 0 ? "not heard for " + (now - seen) / 1000 + " s" : "never heard")
                        + ", expected every " + expectedIntervalMs / 1000.0 + " s";
            } else if (seen < 0) {
                state = DeviceState.PENDING;
                reason = "not heard yet";
            } else {
                state = DeviceState.OK;
                reason = null;
            }
            return new DeviceStatus(id, site, deviceClass, lane, inInventory, state.label(), reason,
                    seen < 0 ? null : Instant.ofEpochMilli(seen).toString(), seen < 0 ? null : now - seen,
                    expectedIntervalMs, seen < 0 ? null : skewMs, readings);
        }
    }

    /**
     * A device as {@code /api/devices} shows it.
     *
     * @param lastSeen          gateway time of its last reading, ISO-8601; null when never heard
     * @param lastSeenAgoMs     milliseconds since then
     * @param expectedIntervalMs its deadman interval, 0 when it has none
     * @param clockSkewMs       device time minus receive time of its last reading
     */
    public record DeviceStatus(String id, String site, String deviceClass, String lane, boolean inInventory,
            String state, String stateReason, String lastSeen, Long lastSeenAgoMs, long expectedIntervalMs,
            Long clockSkewMs, long readings) {
    }

    /** The latest reading of one kind of a device. */
    public record LatestReading(String kind, String deviceTime, String receivedAt, Map<String, String> tags,
            Map<String, Object> fields) {
    }

    /** {@code /api/alerts}. */
    public record AlertsSnapshot(List<AlertView> open, List<AlertView> recent) {
    }

    /**
     * An alert transition as the admin API shows it; {@code subject} has the shape centres get
     * ({@code {"kind":"device","id":"cnt-01"}}, see {@code AlertJson}), so one parser reads both.
     */
    public record AlertView(String alertId, String eventId, String rule, String state, String severity, String site,
            String device, Subject subject, String kind, String field, double value, double threshold,
            String raisedAt, String at, String reason, Map<String, String> tags) {

        static AlertView of(Alert a) {
            Map<String, String> tags = new LinkedHashMap<>(a.tags());
            return new AlertView(a.alertId(), a.eventId(), a.rule(), a.state().label(), a.severity(), a.site(),
                    a.device(), new Subject(a.subjectKind(), a.subject()), a.kind(), a.field(), a.value(),
                    a.threshold(), a.raisedAt().toString(), a.at().toString(), a.reason(), tags);
        }
    }

    /** What an alert is about: a device, a plate, a radar track… ({@code kind}) and which one ({@code id}). */
    public record Subject(String kind, String id) {
    }

    /**
     * {@code /api/map}.
     *
     * @param tracksCut     tracks evicted for room since start (also {@code limes.dropped{reason=map_tracks_full}})
     * @param pointsCut     positions overwritten in the tracks' rings since start
     * @param alertsCut     open alerts with a position beyond {@link MapLimits#maxAlerts} in this answer
     * @param alertsUnplaced open alerts without any position (not on the map)
     */
    public record MapSnapshot(List<ZoneView> zones, List<DeviceMarker> devices, List<TrackTrails.TrackView> tracks,
            List<AlertMarker> alerts, MapLimits limits, long tracksCut, long pointsCut, long alertsCut,
            long alertsUnplaced) {
    }

    /** The bounds of {@code /api/map}. */
    public record MapLimits(int maxTracks, int maxPointsPerTrack, int maxAlerts) {
    }

    /**
     * A geofence zone: its polygons, each an outer ring then its holes, each ring a list of
     * {@code [lon, lat]} (GeoJSON order), closed.
     */
    public record ZoneView(String name, String rule, List<List<List<double[]>>> polygons) {
        static ZoneView of(String rule, GeofenceZone z) {
            List<List<List<double[]>>> polygons = new ArrayList<>();
            for (double[][] polygon : z.polygons()) {
                List<List<double[]>> rings = new ArrayList<>();
                for (double[] ring : polygon) {
                    List<double[]> positions = new ArrayList<>(ring.length / 2);
                    for (int i = 0; i < ring.length; i += 2) {
                        positions.add(new double[] {ring[i], ring[i + 1]});
                    }
                    rings.add(positions);
                }
                polygons.add(rings);
            }
            return new ZoneView(z.name(), rule, polygons);
        }
    }

    /** A device with a location, as the map draws it. */
    public record DeviceMarker(String id, String deviceClass, String lane, double lat, double lon, String state,
            String stateReason) {
    }

    /** An open alert where it is: {@code zone} for a geofence alert. */
    public record AlertMarker(String alertId, String rule, String severity, Subject subject, String device,
            String zone, double lat, double lon, String raisedAt) {
    }

    /** {@code /api/frames/<device>}: the last sampled frame (null when none yet) and the latest normalised readings. */
    public record DeviceFrame(String device, FrameSample frame, List<LatestReading> normalised) {
    }

    /**
     * A device's frame as received: {@code text} is its first {@value #FRAME_SAMPLE_BYTES} bytes
     * as UTF-8 with control characters (but tab, CR, LF) and invalid bytes written {@code \xNN};
     * {@code hex} the same bytes in hex, for binary formats; {@code decoded} what the driver made of it.
     */
    public record FrameSample(String receivedAt, String source, String origin, String driver, int bytes,
            boolean truncated, String text, String hex, List<LatestReading> decoded) {

        /** {@code head}: the frame's first bytes, of {@code bytes} in all. */
        static FrameSample of(String receivedAt, String source, String origin, String driver, int bytes, byte[] head,
                List<LatestReading> decoded) {
            int n = head.length;
            StringBuilder hex = new StringBuilder(n * 2);
            for (int i = 0; i < n; i++) {
                hex.append(Character.forDigit((head[i] >> 4) & 0xF, 16)).append(Character.forDigit(head[i] & 0xF, 16));
            }
            return new FrameSample(receivedAt, source, origin, driver, bytes, bytes > n, printable(head, n), hex.toString(),
                    List.copyOf(decoded));
        }

        private static String printable(byte[] p, int n) {
            java.nio.charset.CharsetDecoder utf8 = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
            String text;
            try {
                text = utf8.decode(java.nio.ByteBuffer.wrap(p, 0, n)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                text = null;
            }
            StringBuilder out = new StringBuilder(n);
            if (text == null) {
                for (int i = 0; i < n; i++) {
                    int b = p[i] & 0xFF;
                    if (b >= 0x20 && b < 0x7F || b == '\t' || b == '\n' || b == '\r') {
                        out.append((char) b);
                    } else {
                        out.append(String.format("\\x%02x", b));
                    }
                }
                return out.toString();
            }
            text.codePoints().forEach(c -> {
                if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                    out.append(String.format("\\x%02x", c));
                } else {
                    out.appendCodePoint(c);
                }
            });
            return out.toString();
        }
    }

    /** {@code /api/sparklines}: readings per second per device, {@code buckets} of {@code bucketS} seconds, oldest first. */
    public record Sparklines(int bucketS, int buckets, Map<String, double[]> devices) {
    }
}
