package org.limes.gateway.live;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;

/**
 * A device's last sampled frame for the status page, overwritten in place: the frame's first
 * {@value LiveView#FRAME_SAMPLE_BYTES} bytes copied into a buffer the slot owns (grown, never
 * shrunk, to the longest head seen), its metadata as numbers and the strings of the last
 * sample while equal, and what the driver decoded from it in {@link LatestValues}. Sampled
 * about once a second per device, a kept frame and its readings always outlived a young
 * collection and were dead a second later: with 10,000 devices, several MB aged into the old
 * generation at every collection. Now a sample leaves nothing of the frame behind.
 *
 * <p>Written by the source threads (a device may reach the gateway through two sources), read
 * on the admin threads: every access takes this object's lock; {@link #sample} copies out
 * under it and the text is made outside it.
 */
final class FrameSlot {

    private boolean present;
    private long receivedSecond;
    private int receivedNano;
    private String source;
    private String origin;
    private String driver;
    private int bytes;
    private byte[] head = new byte[0];
    private int headLength;
    private final LatestValues[] decoded = new LatestValues[LiveView.FRAME_SAMPLE_READINGS];
    private int decodedCount;

    /** Takes {@code frame}'s head and metadata and the first readings of {@code device} in {@code all}. */
    synchronized void update(Frame frame, String driverName, List<Reading> all, String device) {
        present = true;
        Instant received = frame.receivedAt();
        receivedSecond = received.getEpochSecond();
        receivedNano = received.getNano();
        source = same(source, frame.source());
        origin = same(origin, frame.origin());
        driver = same(driver, driverName);
        byte[] p = frame.payload();
        bytes = p.length;
        headLength = Math.min(p.length, LiveView.FRAME_SAMPLE_BYTES);
        if (head.length < headLength) {
            head = new byte[headLength];
        }
        System.arraycopy(p, 0, head, 0, headLength);
        decodedCount = 0;
        for (int i = 0; i < all.size() && decodedCount < decoded.length; i++) {
            Reading r = all.get(i);
            if (r.deviceId().equals(device)) {
                if (decoded[decodedCount] == null || !decoded[decodedCount].kind().equals(r.kind())) {
                    decoded[decodedCount] = new LatestValues(r.kind());
                }
                decoded[decodedCount++].update(r);
            }
        }
    }

    /** The last sample, its text and hex made now; null when none was taken yet. */
    LiveView.FrameSample sample() {
        String at;
        String src;
        String org;
        String drv;
        int total;
        byte[] copy;
        List<LiveView.LatestReading> readings;
        synchronized (this) {
            if (!present) {
                return null;
            }
            at = Instant.ofEpochSecond(receivedSecond, receivedNano).toString();
            src = source;
            org = origin;
            drv = driver;
            total = bytes;
            copy = Arrays.copyOf(head, headLength);
            readings = new ArrayList<>(decodedCount);
            for (int i = 0; i < decodedCount; i++) {
                readings.add(decoded[i].view());
            }
        }
        return LiveView.FrameSample.of(at, src, org, drv, total, copy, readings);
    }

    /** The string held when {@code next} equals it (a topic is a new string in every message), else {@code next}. */
    private static String same(String held, String next) {
        return held != null && held.equals(next) ? held : next;
    }
}
