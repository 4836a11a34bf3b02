package org.limes.gateway.rules;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The devices one pipeline shard owns, each under a dense index, so rules keep their
 * per-device state in arrays instead of maps (no boxing, no allocation per reading).
 *
 * <p>Indices {@code 0..inventorySize()-1} are the shard's inventory devices, in
 * registration order; accepted unknown devices ({@code unknown_devices: accept}) get the
 * next indices as they appear, at most {@code maxUnknown} of them: beyond that a device
 * gets no index, its readings are stored but not evaluated, and {@link #refused()}
 * counts them.
 *
 * <p>Besides the static facts (site, tags, expected interval) it holds what the engine
 * learns about every device whatever the rules: when it was last heard (gateway time) and
 * its clock offset (device time minus receive time).
 *
 * <p>Threading: shard-confined. Only {@link #offsetMs} may be read from another thread
 * (a metrics gauge); such a read may be slightly stale.
 */
public final class DeviceTable {

    private final Map<String, Integer> index = new HashMap<>();
    private final String gateway;
    private final String defaultSite;
    private final int maxUnknown;
    private String[] ids = new String[16];
    private String[] sites = new String[16];
    @SuppressWarnings("unchecked")
    private Map<String, String>[] tags = new Map[16];
    private long[] expectedIntervalMs = new long[16];
    private long[] lastHeardMs = new long[16];
    private long[] graceMs = new long[16];
    private long[] offsetMs = new long[16];
    private boolean[] offsetKnown = new boolean[16];
    private int size;
    private int inventorySize;
    private long refused;
    private long startMs;

    /**
     * @param gateway     the gateway's name, which every alert id of its rules carries
     *                    ({@link Alert#episodeId}): two crossings may have devices of one id
     * @param defaultSite site of accepted unknown devices; null when unknown devices are rejected
     * @param maxUnknown  how many unknown devices may get an index
     */
    public DeviceTable(String gateway, String defaultSite, int maxUnknown) {
        this.gateway = gateway;
        this.defaultSite = defaultSite;
        this.maxUnknown = defaultSite == null ? 0 : maxUnknown;
    }

    /** Registers an inventory device; only before the first unknown device is admitted. */
    public void addInventory(String id, String site, Map<String, String> staticTags, long intervalMs) {
        if (size != inventorySize) {
            throw new IllegalStateException("inventory devices are registered before any unknown device");
        }
        add(id, site, staticTags, intervalMs);
        inventorySize = size;
    }

    /** Sets the gateway time every device counts as last heard at until it reports (start-up). */
    public void start(long nowMs) {
        startMs = nowMs;
        Arrays.fill(lastHeardMs, 0, size, nowMs);
    }

    private int add(String id, String site, Map<String, String> staticTags, long intervalMs) {
        if (size == ids.length) {
            int n = size * 2;
            ids = Arrays.copyOf(ids, n);
            sites = Arrays.copyOf(sites, n);
            tags = Arrays.copyOf(tags, n);
            expectedIntervalMs = Arrays.copyOf(expectedIntervalMs, n);
            lastHeardMs = Arrays.copyOf(lastHeardMs, n);
            graceMs = Arrays.copyOf(graceMs, n);
            offsetMs = Arrays.copyOf(offsetMs, n);
            offsetKnown = Arrays.copyOf(offsetKnown, n);
        }
        int d = size++;
        ids[d] = id;
        sites[d] = site;
        tags[d] = staticTags;
        expectedIntervalMs[d] = intervalMs;
        lastHeardMs[d] = startMs;
        index.put(id, d);
        return d;
    }

    /** The device's index, or -1 when it has none. */
    public int indexOf(String id) {
        Integer d = index.get(id);
        return d == null ? -1 : d;
    }

    /**
     * The device's index, giving an unknown device one when unknown devices are accepted
     * and there is room; -1 (and counted) otherwise.
     */
    public int admit(String id) {
        Integer d = index.get(id);
        if (d != null) {
            return d;
        }
        if (size - inventorySize >= maxUnknown) {
            refused++;
            return -1;
        }
        return add(id, defaultSite, Map.of(), 0);
    }

    public int size() {
        return size;
    }

    /** True when devices not in the inventory get an index ({@code unknown_devices: accept}). */
    public boolean acceptsUnknown() {
        return maxUnknown > 0;
    }

    /** The gateway's name. */
    public String gateway() {
        return gateway;
    }

    public int inventorySize() {
        return inventorySize;
    }

    public String id(int d) {
        return ids[d];
    }

    public String site(int d) {
        return sites[d];
    }

    public Map<String, String> tags(int d) {
        return tags[d];
    }

    /** The device's expected reporting interval in milliseconds; 0 when it has none. */
    public long expectedIntervalMs(int d) {
        return expectedIntervalMs[d];
    }

    public long lastHeardMs(int d) {
        return lastHeardMs[d];
    }

    /** Sets when the device counts as last heard (start-up, or a persisted armed time). */
    void lastHeard(int d, long ms) {
        lastHeardMs[d] = ms;
    }

    /**
     * Sets a last report persisted by an earlier run, which may lag the true last report
     * by up to {@code grace} (it is saved periodically, not on every reading): a deadman
     * rule waits that much longer before raising, until the device is heard again.
     */
    void lastHeard(int d, long ms, long grace) {
        lastHeardMs[d] = ms;
        graceMs[d] = grace;
    }

    /** How much longer than its interval a deadman rule waits for the device (see above); usually 0. */
    public long graceMs(int d) {
        return graceMs[d];
    }

    void heard(int d, long nowMs) {
        lastHeardMs[d] = nowMs;
        graceMs[d] = 0;
    }

    /** The device's last clock offset (device time − receive time), milliseconds. */
    public long offsetMs(int d) {
        return offsetMs[d];
    }

    public boolean offsetKnown(int d) {
        return offsetKnown[d];
    }

    void offset(int d, long ms) {
        offsetMs[d] = ms;
        offsetKnown[d] = true;
    }

    /** Readings of unknown devices that got no index because the table was full. */
    public long refused() {
        return refused;
    }
}
