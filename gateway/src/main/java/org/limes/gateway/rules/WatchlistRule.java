package org.limes.gateway.rules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.limes.drivers.Reading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises when an ANPR camera reads a plate on the watchlist, once per passage: the same
 * plate in the same lane within {@code passage_window} of its last read — by this camera
 * or another one of the lane — belongs to the same passage and raises nothing more. The
 * episode clears (on a tick) when the window passes without another read.
 *
 * <pre>
 *   reading (anpr_read)                          alert
 *   plate "ab 123-4o", tag lane=2, camera cam-a  normalised AB1234O (folded A812340)
 *   listed "AB1234O,stolen"                      raised: subject plate AB1234O, value 1 read,
 *                                                tags camera=cam-a, lane=2, reason=stolen, …
 *   same plate, cam-b, lane 2, 5 s later         nothing (same passage, now 2 reads)
 *   no read for passage_window                   cleared, value 2 reads
 * </pre>
 *
 * <p>The lane is the reading's {@code lane} tag (the camera's own or the inventory's); a
 * read without one is its camera's own lane. Two cameras of a lane are two devices, which
 * may sit on two pipeline shards, so passages live in the pipeline's shared
 * {@link PassageTable}, touched only on a hit; the hot path for an unlisted plate is one
 * normalisation and one map lookup in this shard's immutable list.
 *
 * <p>Alert: subject kind {@code plate}, subject the normalised plate; kind {@code anpr_read},
 * field {@code plate}, value the reads in the passage, threshold 1; tags the reading's tags
 * and {@code camera} (the device), {@code plate} (as read), {@code picture_ref} (when the read's
 * pictures were kept), {@code match} (the list entry,
 * normalised as matched), {@code reason}. The episode id is
 * {@code rule/<site>:<lane>:<match>/<device time of the first read>}. Shard-confined (see
 * {@link Rule}); only the passage table is shared.
 */
public final class WatchlistRule implements Rule {

    /** The only reading kind it evaluates ({@link RuleIndex} visits it for these alone). */
    static final String KIND = "anpr_read";

    private static final Logger LOG = LoggerFactory.getLogger(WatchlistRule.class);
    private static final long LOG_INTERVAL_MS = 60_000;
    static final String PLATE = "plate";
    static final String LANE_OF_DEVICE = "device:";

    private final WatchlistRuleConfig config;
    private final DeviceTable devices;
    private final Watchlist list;
    private final PassageTable passages;
    private final RuleMetrics metrics;
    private final String id;
    private final boolean fold;
    private final long windowMs;
    private final int maxPassages;
    private final List<PassageTable.Passage> owned = new ArrayList<>();
    private long lastEvictionLogMs = Long.MIN_VALUE / 2;
    private long evictedSinceLog;

    public WatchlistRule(WatchlistRuleConfig config, DeviceTable devices, RuleContext context) {
        if (config.list() == null) {
            throw new IllegalStateException("watchlist rule " + config.id() + ": its list_file was not read");
        }
        this.config = config;
        this.devices = devices;
        this.list = config.list();
        this.passages = context.passages();
        this.metrics = context.metrics();
        this.id = config.id();
        this.fold = config.foldConfusables();
        this.windowMs = config.passageWindowMs();
        this.maxPassages = config.maxPassages();
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
        if (!KIND.equals(r.kind()) || !(r.fields().get(PLATE) instanceof String plate)) {
            return;
        }
        String match = Watchlist.normalise(plate, fold);
        String reason = list.reason(match);
        if (reason == null) {
            return;
        }
        String device = devices.id(d);
        String lane = lane(r.tags().get("lane"), device);
        String site = devices.site(d);
        PassageTable.Passage fresh = passages.admit(id, maxPassages, key(site, lane, match), nowMs, windowMs);
        if (fresh == null) {
            return;
        }
        Map<String, String> tags = new TreeMap<>(r.tags());
        tags.put("camera", device);
        tags.put(PLATE, plate);
        tags.put("match", match);
        tags.put("reason", reason);
        if (r.fields().get("picture_ref") instanceof String picture) {
            // Where the gateway kept the read's pictures (pictures.policy: keep): GET /api/pictures/{ref}.
            tags.put("picture_ref", picture);
        }
        if (!tags.containsKey("lane")) {
            tags.put("lane", lane);
        }
        Instant now = Instant.ofEpochMilli(nowMs);
        Alert a = Alert.builder()
                .alertId(Alert.episodeId(devices.gateway(), id, site + ":" + lane + ":" + match,
                        r.deviceTime().toEpochMilli()))
                .rule(id).state(AlertState.RAISED).severity(config.severity()).site(site).device(device)
                .subjectKind(PLATE).subject(match).kind(r.kind()).field(PLATE).value(1).threshold(1)
                .firstSeen(now).lastSeen(now).raisedAt(now).at(now).tags(tags).build();
        fresh.alert = a;
        owned.add(fresh);
        out.add(a);
    }

    @Override
    public void tick(long nowMs, List<Alert> out) {
        for (Iterator<PassageTable.Passage> it = owned.iterator(); it.hasNext(); ) {
            PassageTable.Passage p = it.next();
            if (!passages.ended(id, p, nowMs, windowMs)) {
                continue;
            }
            it.remove();
            long last = passages.lastSeenMs(p);
            boolean evicted = passages.evicted(p);
            Instant now = Instant.ofEpochMilli(nowMs);
            out.add(p.alert.cleared(passages.reads(p), 1, last == PassageTable.UNKNOWN ? now : Instant.ofEpochMilli(last),
                    now, evicted ? "evicted" : null));
            if (evicted) {
                evicted(p.alert, nowMs);
            }
        }
    }

    private void evicted(Alert a, long nowMs) {
        metrics.evicted("passage_limit");
        evictedSinceLog++;
        if (nowMs - lastEvictionLogMs >= LOG_INTERVAL_MS) {
            LOG.warn("watchlist rule {} holds max_passages {} open passages: cleared the least recently read ones "
                    + "early with reason evicted ({} since the last such message, e.g. a plate read by {} at {}); counted "
                    + "in limes.dropped{component=rules,reason=passage_limit}, logged once a minute", id, maxPassages,
                    evictedSinceLog, a.device(), a.site());
            lastEvictionLogMs = nowMs;
            evictedSinceLog = 0;
        }
    }

    @Override
    public boolean restore(Alert open) {
        String match = open.tags().get("match");
        if (!PLATE.equals(open.subjectKind()) || match == null || list.reason(match) == null) {
            return false;
        }
        String lane = lane(open.tags().get("lane"), open.device());
        PassageTable.Passage p = passages.restore(id, maxPassages, key(open.site(), lane, match));
        p.alert = open;
        owned.add(p);
        return true;
    }

    /**
     * Cluster mode: whether {@code r} is a read of a plate on {@code config}'s list — what the
     * frames' owner asks before it sends a read to its lane's passage owner.
     */
    public static boolean listed(WatchlistRuleConfig config, Reading r) {
        return KIND.equals(r.kind()) && r.fields().get(PLATE) instanceof String plate && config.list() != null
                && config.list().reason(Watchlist.normalise(plate, config.foldConfusables())) != null;
    }

    /**
     * Cluster mode: the lane a read belongs to, as passages are kept: its site and its
     * {@code lane} tag, or its camera's own lane without one. The key under which one owner sees
     * every camera of the lane; never the plate.
     */
    public static String laneKey(Reading r) {
        return r.site() + "/" + lane(r.tags().get("lane"), r.deviceId());
    }

    /** Cluster mode: an open passage as its owner leaves it: the raised episode, the last read, the reads. */
    public record OpenPassage(Alert alert, long lastSeenMs, int reads) {
    }

    /** Cluster mode: the passages this instance raised and has not cleared, to hand to the lane's next owner. */
    public List<OpenPassage> openPassages() {
        List<OpenPassage> out = new ArrayList<>(owned.size());
        for (PassageTable.Passage p : owned) {
            out.add(new OpenPassage(p.alert, passages.lastSeenMs(p), passages.reads(p)));
        }
        return out;
    }

    /**
     * Cluster mode: takes over a passage from the lane's previous owner: its episode (as
     * {@link #restore}) with that owner's last read and read count. False when this rule cannot
     * hold it (the plate left the list).
     */
    public boolean takeOver(OpenPassage open) {
        if (!restore(open.alert())) {
            return false;
        }
        passages.carry(owned.get(owned.size() - 1), open.lastSeenMs(), open.reads());
        return true;
    }

    private static String lane(String tag, String device) {
        return tag == null || tag.isEmpty() ? LANE_OF_DEVICE + device : tag;
    }

    private static String key(String site, String lane, String match) {
        return site + '\u0000' + lane + '\u0000' + match;
    }

    /** Passages this instance raised and has not yet cleared. */
    public int openEpisodes() {
        return owned.size();
    }
}
