package org.limes.gateway.live;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.limes.drivers.Reading;

/**
 * The live radar tracks the status page's map draws: per track ({@code <device>:<track>}) its
 * last {@code maxPoints} positions in a ring buffer, for at most {@code maxTracks} tracks.
 *
 * <p>Fed with every {@code radar_track} reading: one with {@code lat_deg}/{@code lon_deg} adds
 * a position; a {@code status} of {@code lost} or {@code ended} removes the track (it is no longer
 * live); a reading without a position only keeps the track alive. A track not heard for
 * {@code expiryMs} is removed when the map is read or a track is added. Bounded and counted:
 * a track beyond {@code maxTracks} evicts the least recently heard one
 * ({@code limes.dropped{component=live,reason=map_tracks_full}}, logged by the caller); a
 * track's positions beyond {@code maxPoints} overwrite its oldest (counted per track in
 * {@link Trail#pointsCut} and in {@link #pointsCut()}).
 *
 * <p>Threading: {@link #reading} runs on the pipeline shard that owns the radar; every track of a
 * radar therefore has one writer, but two radars' shards may add tracks at once, so the table is
 * concurrent and a trail's buffer is guarded by the trail. {@link #snapshot} runs on the admin
 * thread. Never blocks for long and never throws into the pipeline.
 */
public final class TrackTrails {

    static final String KIND = "radar_track";

    private final int maxTracks;
    private final int maxPoints;
    private final long expiryMs;
    private final Runnable evicted;
    private final Map<String, Trail> trails = new ConcurrentHashMap<>();
    private final AtomicLong tracksCut = new AtomicLong();
    private final AtomicLong pointsCut = new AtomicLong();

    /**
     * @param evicted told (on the feeding thread) each time a track is evicted for room
     */
    TrackTrails(int maxTracks, int maxPoints, long expiryMs, Runnable evicted) {
        if (maxTracks < 1 || maxPoints < 2) {
            throw new IllegalArgumentException("maxTracks must be at least 1 and maxPoints at least 2");
        }
        this.maxTracks = maxTracks;
        this.maxPoints = maxPoints;
        this.expiryMs = expiryMs;
        this.evicted = evicted;
    }

    /** One reading of any kind; only {@code radar_track} readings with a {@code track} tag count. */
    void reading(Reading r, long nowMs) {
        if (!KIND.equals(r.kind())) {
            return;
        }
        String track = r.tags().get("track");
        if (track == null) {
            return;
        }
        String id = r.deviceId() + ":" + track;
        String status = r.tags().get("status");
        if ("lost".equals(status) || "ended".equals(status)) {
            trails.remove(id);
            return;
        }
        Object lat = r.fields().get("lat_deg");
        Object lon = r.fields().get("lon_deg");
        boolean located = lat instanceof Number && lon instanceof Number;
        Trail t = trails.get(id);
        if (t == null) {
            if (!located) {
                return;
            }
            makeRoom(nowMs);
            t = new Trail(id, r.deviceId(), track, maxPoints);
            Trail raced = trails.putIfAbsent(id, t);
            t = raced == null ? t : raced;
        }
        synchronized (t) {
            t.lastSeenMs = nowMs;
            if (located) {
                double la = ((Number) lat).doubleValue();
                double lo = ((Number) lon).doubleValue();
                if (Double.isFinite(la) && Double.isFinite(lo)) {
                    if (t.add(lo, la, r.deviceTime().toEpochMilli())) {
                        pointsCut.incrementAndGet();
                    }
                }
            }
        }
    }

    private void makeRoom(long nowMs) {
        expire(nowMs);
        while (trails.size() >= maxTracks) {
            Trail oldest = trails.values().stream().min(Comparator.comparingLong(x -> x.lastSeenMs)).orElse(null);
            if (oldest == null || trails.remove(oldest.id) == null) {
                continue;
            }
            tracksCut.incrementAndGet();
            evicted.run();
        }
    }

    private void expire(long nowMs) {
        trails.values().removeIf(t -> nowMs - t.lastSeenMs > expiryMs);
    }

    /** The live tracks, most recently heard first, each with its positions oldest first. */
    List<TrackView> snapshot(long nowMs) {
        expire(nowMs);
        List<TrackView> out = new ArrayList<>(trails.size());
        for (Trail t : trails.values()) {
            synchronized (t) {
                out.add(t.view(nowMs));
            }
        }
        out.sort(Comparator.comparingLong(TrackView::lastSeenAgoMs).thenComparing(TrackView::id));
        return out;
    }

    long tracksCut() {
        return tracksCut.get();
    }

    long pointsCut() {
        return pointsCut.get();
    }

    int maxTracks() {
        return maxTracks;
    }

    int maxPoints() {
        return maxPoints;
    }

    /** One track's ring of positions; guarded by itself. */
    private static final class Trail {
        final String id;
        final String device;
        final String track;
        final double[] lon;
        final double[] lat;
        final long[] timeMs;
        int next;
        int size;
        long cut;
        volatile long lastSeenMs;

        Trail(String id, String device, String track, int maxPoints) {
            this.id = id;
            this.device = device;
            this.track = track;
            this.lon = new double[maxPoints];
            this.lat = new double[maxPoints];
            this.timeMs = new long[maxPoints];
        }

        /** Adds a position; true when it overwrote the oldest. */
        boolean add(double lo, double la, long ms) {
            boolean full = size == lon.length;
            lon[next] = lo;
            lat[next] = la;
            timeMs[next] = ms;
            next = (next + 1) % lon.length;
            if (full) {
                cut++;
            } else {
                size++;
            }
            return full;
        }

        TrackView view(long nowMs) {
            List<double[]> points = new ArrayList<>(size);
            int first = (next - size + lon.length) % lon.length;
            for (int i = 0; i < size; i++) {
                int k = (first + i) % lon.length;
                points.add(new double[] {lon[k], lat[k], timeMs[k]});
            }
            return new TrackView(id, device, track, points, cut, Math.max(0, nowMs - lastSeenMs));
        }
    }

    /**
     * A track as {@code /api/map} shows it.
     *
     * @param points    {@code [lon, lat, device time ms]}, oldest first
     * @param pointsCut older positions overwritten (the ring keeps the last ones)
     */
    public record TrackView(String id, String device, String track, List<double[]> points, long pointsCut,
            long lastSeenAgoMs) {
    }
}
