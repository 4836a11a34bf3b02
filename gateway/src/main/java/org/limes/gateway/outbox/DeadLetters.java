package org.limes.gateway.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a destination's records that no retry can ever deliver are set aside, so that the
 * queue advances past them instead of stalling every record behind them for ever: a line
 * the store refuses, an alert larger than a centre broker's maximum packet size, a record
 * that cannot be read. One instance per destination, the only writer of its two files:
 *
 * <pre>
 * &lt;outbox dir&gt;/&lt;destination&gt;/dead-letters/readings.lp    line protocol
 * &lt;outbox dir&gt;/&lt;destination&gt;/dead-letters/alerts.jsonl   one alert JSON (or alert line) per line
 * </pre>
 *
 * Each record is preceded by one comment line saying when, why and what:
 * <pre>
 * # 2026-12-04T15:40:00Z set aside seq=12 reason=too_large id=queue-surge/cnt-01/1764136800000:raised bytes=707 detail=...
 * {"event_id":"queue-surge/cnt-01/1764136800000:raised",...}
 * </pre>
 * so the reading file without its comment lines is valid line protocol (InfluxDB itself skips
 * {@code #} lines) and {@code grep -v '^#'} of the alert file is one alert per line. Both files
 * and the directory are owner-only (they can hold plates). Each is bounded by
 * {@code maxBytes}: when a record would not fit, it is not written, but it is still counted
 * ({@code limes.dropped{component=outbox-<destination>,reason=dead_letter_full}}) and logged,
 * and the queue still advances — a full dead-letter file must not stall delivery either.
 *
 * <p>Every set-aside is counted ({@code limes.outbox.dead_lettered{destination,reason}}),
 * logged at ERROR with its id (an alert's {@code event_id}, a reading's measurement and
 * device), reason and size — at most once a second per destination, with a count of the
 * lines held back — and told to the {@link SetAsideListener}, which raises alerts set aside
 * at one centre to the others.
 *
 * <p>Threading: {@link #write} from the destination's one sink thread; the counters from any.
 */
public final class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bound of each dead-letter file: generous for a rare event, small against the outbox. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    private static final int DETAIL_CHARS = 300;

    /** What was set aside, as a listener hears it. */
    public record SetAside(String destination, byte type, long seq, String id, String rule, String reason,
            String detail, int bytes, long atMillis) {
    }

    /** Hears of every record set aside; called on the sink thread, must be quick and never block. */
    @FunctionalInterface
    public interface SetAsideListener {
        SetAsideListener NONE = s -> { };

        void setAside(SetAside what);
    }

    private final String destination;
    private final Path dir;
    private final long maxBytes;
    private final Clock clock;
    private final SetAsideListener listener;
    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final Counter full;
    private final AtomicLong count = new AtomicLong();
    private volatile String lastReason;
    private long lastLogNanos;
    private long unlogged;

    public DeadLetters(String destination, Path dir, long maxBytes, MeterRegistry registry, Clock clock,
            SetAsideListener listener) {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("dead-letter max bytes must be at least 1024, got " + maxBytes);
        }
        this.destination = destination;
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.registry = registry;
        this.clock = clock;
        this.listener = listener;
        this.full = DestinationMetrics.deadLetterFull(registry, destination);
    }

    /** Dead letters under {@code dir} with the default bound, counted in a registry of their own. */
    public static DeadLetters standalone(String destination, Path dir) {
        return new DeadLetters(destination, dir, DEFAULT_MAX_BYTES, new SimpleMeterRegistry(), Clock.systemUTC(),
                SetAsideListener.NONE);
    }

    /** The directory holding this destination's dead-letter files. */
    public Path dir() {
        return dir;
    }

    /** The file records of {@code type} are set aside in. */
    public Path file(byte type) {
        return dir.resolve(type == OutboxRecord.ALERT ? "alerts.jsonl" : "readings.lp");
    }

    /** Records set aside since start. */
    public long count() {
        return count.get();
    }

    /** The reason of the last record set aside since start, null when none. */
    public String lastReason() {
        return lastReason;
    }

    /**
     * Writes {@code r} to its dead-letter file (synced), counts and logs it, and tells the
     * listener. The caller then advances the queue past it.
     *
     * @throws IOException when the file cannot be written for a reason other than its bound
     *                     (the disk): the record is then not set aside and must be retried
     */
    void write(OutboxRecord r, String reason, String detail) throws IOException {
        String id = describe(r);
        long now = clock.millis();
        String why = detail == null ? "" : oneLine(detail);
        String header = "# " + Instant.ofEpochMilli(now) + " set aside seq=" + r.seq() + " reason=" + reason
                + " id=" + id + " bytes=" + r.payload().length + (why.isEmpty() ? "" : " detail=" + why) + "\n";
        byte[] head = header.getBytes(StandardCharsets.UTF_8);
        byte[] body = r.payload();
        boolean newline = body.length == 0 || body[body.length - 1] != '\n';
        Path file = file(r.type());
        ensureDir();
        long size = Files.exists(file) ? Files.size(file) : 0;
        boolean kept = size + head.length + body.length + 1 <= maxBytes;
        if (kept) {
            try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND), ownerOnly("rw-------"))) {
                ByteBuffer buf = ByteBuffer.allocate(head.length + body.length + 1);
                buf.put(head).put(body);
                if (newline) {
                    buf.put((byte) '\n');
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(false);
            }
        } else {
            full.increment();
        }
        count.incrementAndGet();
        lastReason = reason;
        counters.computeIfAbsent(reason, k -> DestinationMetrics.deadLettered(registry, destination, k)).increment();
        log(r, id, reason, why, file, kept);
        listener.setAside(new SetAside(destination, r.type(), r.seq(), id, rule(r), reason, why, body.length, now));
    }

    private synchronized void log(OutboxRecord r, String id, String reason, String detail, Path file, boolean kept) {
        long now = System.nanoTime();
        if (now - lastLogNanos < TimeUnit.SECONDS.toNanos(1) && lastLogNanos != 0) {
            unlogged++;
            return;
        }
        lastLogNanos = now;
        LOG.error("destination {}: {} {} ({} bytes) can never be delivered ({}{}); set aside {}{}", destination,
                OutboxRecord.typeName(r.type()), id, r.payload().length, reason, detail.isEmpty() ? "" : ": " + detail,
                kept ? "in " + file : "but NOT kept: " + file + " has reached " + maxBytes + " bytes",
                unlogged == 0 ? "" : " (" + unlogged + " more set aside since the last line)");
        unlogged = 0;
    }

    private void ensureDir() throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, ownerOnly("rwx------"));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // Created meanwhile: fine.
            }
        }
    }

    private static FileAttribute<?>[] ownerOnly(String perms) {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms))};
    }

    /**
     * What names the record for an operator: an alert's {@code event_id}; a line's measurement
     * and device tag. Never the whole payload: a reading can carry a plate.
     */
    /** The subject kind of a watchlist hit, whose id is a plate. */
    private static final String PLATE = "plate";

    static String describe(OutboxRecord r) {
        String text = new String(r.payload(), StandardCharsets.UTF_8);
        if (text.startsWith("{")) {
            try {
                JsonNode n = JSON.readTree(text);
                String eventId = n.path("event_id").asText("");
                if (eventId.isEmpty()) {
                    return "(alert without event_id)";
                }
                // A watchlist hit's event id holds its plate (plain at a centre with clearance):
                // the id goes to the log and to the other centres, so the plate is masked there.
                JsonNode subject = n.path("subject");
                String plate = subject.path("id").asText("");
                if (PLATE.equals(subject.path("kind").asText("")) && !plate.isEmpty()) {
                    eventId = eventId.replace(plate, "<plate>");
                }
                return eventId;
            } catch (IOException | RuntimeException e) {
                return "(unreadable JSON)";
            }
        }
        String series = text.substring(0, unescapedIndex(text, ' ', 0));
        int comma = unescapedIndex(series, ',', 0);
        String measurement = series.substring(0, comma);
        String dev = "";
        int device = series.indexOf(",device=");
        if (device >= 0) {
            int from = device + ",device=".length();
            dev = series.substring(from, unescapedIndex(series, ',', from));
        }
        return shorten(measurement, 80) + (dev.isEmpty() ? "" : " device=" + shorten(dev, 80));
    }

    /** Index of the first {@code c} at or after {@code from} not escaped by a backslash, or the length. */
    private static int unescapedIndex(String s, char c, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) != c) {
            i += s.charAt(i) == '\\' ? 2 : 1;
        }
        return Math.min(i, s.length());
    }

    /** The rule of an alert record (canonical JSON), or null. */
    private static String rule(OutboxRecord r) {
        if (r.type() != OutboxRecord.ALERT || r.payload().length == 0 || r.payload()[0] != '{') {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(r.payload());
            return n.path("rule").isTextual() ? n.path("rule").asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String oneLine(String s) {
        return shorten(s.replaceAll("[\\r\\n]+", " ").strip(), DETAIL_CHARS);
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
