package org.limes.gateway.rules;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.limes.drivers.Reading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises when a radar track of a watched class is inside a zone — one episode per track
 * and zone — and clears it when the track leaves the zone, when the track ends (tag
 * {@code status} {@code ended} or {@code lost}), or when the track has not been seen for
 * {@code track_timeout} (on a tick).
 *
 * <p>What it reads of a {@code radar_track} reading (radar-nmea, radar-asterix):
 *
 * <pre>
 *   tag track            the track number, required (a reading without one is ignored)
 *   tag status           ended / lost end the track; tracking, query, absent: alive
 *   tag class            person / vehicle / unknown, any case; absent: unknown. Readings of
 *                        a class the rule does not watch are ignored
 *   field lat_deg, lon_deg  the position; without it the reading only keeps the track alive
 * </pre>
 *
 * Worked example: zone {@code exclusion}, track 7 of radar {@code rdr-1} reported at
 * 32.8843 N 11.5563 E (inside) raises {@code geofence/rdr-1:7@exclusion/<device ms>}, subject
 * {@code track} {@code rdr-1:7}, tags {@code zone=exclusion, lat=32.8843, lon=11.5563, …};
 * the next positions inside raise nothing; a position outside clears it (reason none),
 * {@code status=ended} clears it with reason {@code track_ended}, silence for
 * {@code track_timeout} with {@code track_timeout}.
 *
 * <p>State: only tracks inside at least one zone are kept, per device in a map by track
 * number, at most {@code max_tracks} in all: a new one beyond that pushes out the least
 * recently seen, whose episodes clear with reason {@code evicted} (counted in
 * {@code limes.dropped{component=rules,reason=track_limit}}, logged once a minute). Alert:
 * kind {@code radar_track}, field {@code inside}, value 1 raised / 0 cleared, threshold 1;
 * {@code lat}/{@code lon} tags are where the track was when it was raised. Shard-confined
 * (see {@link Rule}): a radar's tracks are all on its shard. In cluster mode the tracks' last-seen
 * times move with the radar to its next owner ({@link #saveDevice}), their episodes through
 * {@link #restore}.
 */
public final class GeofenceRule implements Rule {

    /** The only reading kind it evaluates ({@link RuleIndex} visits it for these alone). */
    static final String KIND = "radar_track";

    private static final Logger LOG = LoggerFactory.getLogger(GeofenceRule.class);
    private static final long LOG_INTERVAL_MS = 60_000;
    static final String TRACK = "track";
    /** Cluster mode: at most this many of a device's tracks are carried to its next owner. */
    static final int MAX_SAVED_TRACKS = 1_000;
    /** Cluster mode: a carried track number longer than this (UTF-8 bytes) is not carried. */
    static final int MAX_SAVED_NUMBER_BYTES = 64;

    private final GeofenceRuleConfig config;
    private final DeviceTable devices;
    private final RuleMetrics metrics;
    private final String id;
    private final GeofenceZone[] zones;
    private final long timeoutMs;
    private final int maxTracks;
    @SuppressWarnings("unchecked")
    private Map<String, Track>[] tracks = new Map[0];
    private int trackCount;
    private int openCount;
    private long lastEvictionLogMs = Long.MIN_VALUE / 2;
    private long evictedSinceLog;

    public GeofenceRule(GeofenceRuleConfig config, DeviceTable devices, RuleContext context) {
        if (config.zones() == null) {
            throw new IllegalStateException("geofence rule " + config.id() + ": its zones_file was not read");
        }
        this.config = config;
        this.devices = devices;
        this.metrics = context.metrics();
        this.id = config.id();
        this.zones = config.zones().toArray(GeofenceZone[]::new);
        this.timeoutMs = config.trackTimeoutMs();
        this.maxTracks = config.maxTracks();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public RuleConfig config() {
        return config;
    }

    @Override
    public void evaluate(Reading r, int d, long nowMs, List<Alert> out) {
        if (!KIND.equals(r.kind())) {
            return;
        }
        Map<String, String> tags = r.tags();
        String number = tags.get(TRACK);
        if (number == null || !config.watches(tags.get("class"))) {
            return;
        }
        Map<String, Track> mine = d < tracks.length ? tracks[d] : null;
        Track t = mine == null ? null : mine.get(number);
        String status = tags.get("status");
        if ("ended".equals(status) || "lost".equals(status)) {
            if (t != null) {
                end(t, nowMs, "track_" + status, out);
            }
            return;
        }
        double lat = r.number("lat_deg");
        double lon = r.number("lon_deg");
        if (Double.isNaN(lat) || Double.isNaN(lon)) {
            if (t != null) {
                t.lastSeenMs = nowMs;
            }
            return;
        }
        for (int z = 0; z < zones.length; z++) {
            boolean inside = zones[z].contains(lon, lat);
            if (inside && (t == null || t.open[z] == null)) {
                if (t == null) {
                    t = add(d, number, nowMs, out);
                }
                raise(t, z, r, lat, lon, nowMs, out);
            } else if (!inside && t != null && t.open[z] != null) {
                clear(t, z, 0, nowMs, null, out);
            }
        }
        if (t != null) {
            t.lastSeenMs = nowMs;
            if (t.openCount == 0) {
                remove(t);
            }
        }
    }

    @Override
    public void tick(long nowMs, List<Alert> out) {
        if (trackCount == 0) {
            return;
        }
        for (Map<String, Track> mine : tracks) {
            if (mine == null) {
                continue;
            }
            for (Iterator<Track> it = mine.values().iterator(); it.hasNext(); ) {
                Track t = it.next();
                if (t.lastSeenMs == PassageTable.UNKNOWN) {
                    t.lastSeenMs = nowMs;
                } else if (nowMs - t.lastSeenMs >= timeoutMs) {
                    clearAll(t, nowMs, "track_timeout", out);
                    it.remove();
                    trackCount--;
                }
            }
        }
    }

    @Override
    public boolean restore(Alert open) {
        int d = devices.indexOf(open.device());
        String prefix = open.device() + ":";
        int z = zoneIndex(open.tags().get("zone"));
        if (d < 0 || z < 0 || !TRACK.equals(open.subjectKind()) || !open.subject().startsWith(prefix)) {
            return false;
        }
        String number = open.subject().substring(prefix.length());
        Map<String, Track> mine = d < tracks.length ? tracks[d] : null;
        Track t = mine == null ? null : mine.get(number);
        if (t == null) {
            t = add(d, number, PassageTable.UNKNOWN, null);
        }
        if (t.open[z] == null) {
            openCount++;
            t.openCount++;
        }
        t.open[z] = open;
        return true;
    }

    /**
     * Cluster mode: when each of the device's kept tracks was last seen, so that on the next
     * owner a track's {@code track_timeout} counts from the same moment and its clear carries
     * the same last-seen time (its open episodes travel through {@link #restore}). Version 1,
     * big-endian: {@code 1}, count (u16, ≤ {@value #MAX_SAVED_TRACKS}, the most recently seen
     * first), then per track its number (u16 length + UTF-8, ≤ {@value #MAX_SAVED_NUMBER_BYTES}
     * bytes; longer ones are not carried) and last seen (i64, gateway epoch ms). Tracks not seen
     * here since a restore are not carried. Null when there is none.
     */
    @Override
    public byte[] saveDevice(int d) {
        Map<String, Track> mine = d < tracks.length ? tracks[d] : null;
        if (mine == null || mine.isEmpty()) {
            return null;
        }
        List<Track> seen = new ArrayList<>(mine.size());
        for (Track t : mine.values()) {
            if (t.lastSeenMs != PassageTable.UNKNOWN
                    && t.number.getBytes(StandardCharsets.UTF_8).length <= MAX_SAVED_NUMBER_BYTES) {
                seen.add(t);
            }
        }
        if (seen.isEmpty()) {
            return null;
        }
        seen.sort(Comparator.comparingLong((Track t) -> t.lastSeenMs).reversed());
        int n = Math.min(seen.size(), MAX_SAVED_TRACKS);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(3 + n * 16);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeShort(n);
            for (int i = 0; i < n; i++) {
                out.writeUTF(seen.get(i).number);
                out.writeLong(seen.get(i).lastSeenMs);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Takes over {@link #saveDevice}'s last-seen times for the tracks whose episodes
     * {@link #restore} gave back; a number without a restored track is ignored (nothing open to
     * time out). Bytes of another version, truncated, with trailing bytes or a count past the
     * limit change nothing: the tracks then count their timeout from the first tick here.
     */
    @Override
    public void loadDevice(int d, byte[] state) {
        String[] numbers;
        long[] lastSeen;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            if (in.readByte() != 1) {
                return;
            }
            int n = in.readUnsignedShort();
            if (n > MAX_SAVED_TRACKS) {
                return;
            }
            numbers = new String[n];
            lastSeen = new long[n];
            for (int i = 0; i < n; i++) {
                numbers[i] = in.readUTF();
                lastSeen[i] = in.readLong();
            }
            if (in.available() != 0) {
                return;
            }
        } catch (IOException e) {
            return;
        }
        Map<String, Track> mine = d < tracks.length ? tracks[d] : null;
        if (mine == null) {
            return;
        }
        for (int i = 0; i < numbers.length; i++) {
            Track t = mine.get(numbers[i]);
            if (t != null && t.lastSeenMs == PassageTable.UNKNOWN && lastSeen[i] != PassageTable.UNKNOWN) {
                t.lastSeenMs = lastSeen[i];
            }
        }
    }

    private int zoneIndex(String name) {
        for (int z = 0; z < zones.length; z++) {
            if (zones[z].name().equals(name)) {
                return z;
            }
        }
        return -1;
    }

    /**
     * A new track inside some zone; at the limit, the least recently seen one is pushed out
     * first — but not when restoring ({@code out} null): a restored episode is never dropped
     * unannounced, so the limit may be passed until those tracks end.
     */
    private Track add(int d, String number, long nowMs, List<Alert> out) {
        if (trackCount >= maxTracks && out != null) {
            evictOldest(nowMs, out);
        }
        if (d >= tracks.length) {
            tracks = Arrays.copyOf(tracks, Math.max(d + 1, Math.max(16, devices.size())));
        }
        if (tracks[d] == null) {
            tracks[d] = new HashMap<>();
        }
        Track t = new Track(d, number, zones.length);
        t.lastSeenMs = nowMs;
        tracks[d].put(number, t);
        trackCount++;
        return t;
    }

    private void evictOldest(long nowMs, List<Alert> out) {
        Track oldest = null;
        for (Map<String, Track> mine : tracks) {
            if (mine != null) {
                for (Track t : mine.values()) {
                    if (oldest == null || t.lastSeenMs < oldest.lastSeenMs) {
                        oldest = t;
                    }
                }
            }
        }
        if (oldest == null) {
            return;
        }
        clearAll(oldest, nowMs, "evicted", out);
        remove(oldest);
        metrics.evicted("track_limit");
        evictedSinceLog++;
        if (nowMs - lastEvictionLogMs >= LOG_INTERVAL_MS) {
            LOG.warn("geofence rule {} holds max_tracks {} tracks inside its zones: cleared the least recently seen "
                    + "ones early with reason evicted ({} since the last such message, e.g. track {}); counted in "
                    + "limes.dropped{component=rules,reason=track_limit}, logged once a minute", id, maxTracks,
                    evictedSinceLog, devices.id(oldest.device) + ":" + oldest.number);
            lastEvictionLogMs = nowMs;
            evictedSinceLog = 0;
        }
    }

    private void remove(Track t) {
        if (tracks[t.device].remove(t.number) != null) {
            trackCount--;
        }
    }

    private void end(Track t, long nowMs, String reason, List<Alert> out) {
        clearAll(t, nowMs, reason, out);
        remove(t);
    }

    private void clearAll(Track t, long nowMs, String reason, List<Alert> out) {
        for (int z = 0; z < zones.length; z++) {
            if (t.open[z] != null) {
                clear(t, z, 0, nowMs, reason, out);
            }
        }
    }

    private void raise(Track t, int z, Reading r, double lat, double lon, long nowMs, List<Alert> out) {
        String device = devices.id(t.device);
        String subject = device + ":" + t.number;
        Map<String, String> tags = new TreeMap<>(r.tags());
        tags.put("zone", zones[z].name());
        tags.put("lat", Double.toString(lat));
        tags.put("lon", Double.toString(lon));
        if (!tags.containsKey("class")) {
            tags.put("class", "unknown");
        }
        Instant now = Instant.ofEpochMilli(nowMs);
        Alert a = Alert.builder()
                .alertId(Alert.episodeId(devices.gateway(), id, subject + "@" + zones[z].name(),
                        r.deviceTime().toEpochMilli()))
                .rule(id).state(AlertState.RAISED).severity(config.severity()).site(devices.site(t.device))
                .device(device).subjectKind(TRACK).subject(subject).kind(r.kind()).field("inside").value(1).threshold(1)
                .firstSeen(now).lastSeen(now).raisedAt(now).at(now).tags(tags).build();
        t.open[z] = a;
        t.openCount++;
        openCount++;
        out.add(a);
    }

    private void clear(Track t, int z, double value, long nowMs, String reason, List<Alert> out) {
        Instant now = Instant.ofEpochMilli(nowMs);
        Instant last = t.lastSeenMs == PassageTable.UNKNOWN ? now : Instant.ofEpochMilli(t.lastSeenMs);
        out.add(t.open[z].cleared(value, 1, last, now, reason));
        t.open[z] = null;
        t.openCount--;
        openCount--;
    }

    /** Open episodes (track and zone), for the live view and tests. */
    public int openEpisodes() {
        return openCount;
    }

    /** Tracks kept (inside at least one zone). */
    public int trackedTracks() {
        return trackCount;
    }

    /** A track inside at least one zone: its open episode per zone. */
    private static final class Track {
        final int device;
        final String number;
        final Alert[] open;
        long lastSeenMs;
        int openCount;

        Track(int device, String number, int zones) {
            this.device = device;
            this.number = number;
            this.open = new Alert[zones];
        }
    }
}
