package org.limes.gateway.rules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open alert episodes on disk, {@code <data_dir>/alerts/open.json} (a JSON array in
 * the canonical alert form), so that a restart neither raises an open episode again nor
 * forgets it.
 *
 * <p>Each shard hands in its open episodes after a transition; the file is rewritten with
 * every shard's latest list, atomically (temporary file, fsync, rename, fsync of the
 * folder). The pipeline calls {@link #save} through
 * {@link org.limes.gateway.outbox.OutboxCommitter#afterDurable}: the state only says
 * "open" once the raise is durable in the outboxes, and the frame that caused it is
 * acknowledged only after the state is written (callbacks run in order). A crash between
 * the two may therefore repeat a transition after restart — with the same event id for
 * reading-driven rules, which a centre drops — but never loses one.
 *
 * <p>Beside it, {@code armed.json} keeps, per watched device not heard from since, the
 * gateway time a deadman rule started counting its silence (start-up, for a device never
 * heard). A restart keeps counting from there instead of from the new start-up, so the id
 * of a deadman episode for a device never heard ({@code …/<armed + interval>}) is the same
 * before and after a restart, also when a crash lost the state write of its raise. And
 * {@code heard.json} keeps, per inventory device heard from, its last report (gateway
 * time), so a deadman rule counts a silence across a restart from that report. It is
 * written at start-up, when a device is first heard and, while devices report, at most every
 * 30 s per shard (a shard writes only the files that changed, see {@link StateChanges}) —
 * never per reading — so after a crash it may lag the true last report by about that much
 * (see {@link RuleEngine#restoreLastHeard}).
 *
 * <p>A file that cannot be read as alerts is moved aside ({@code open.json.corrupt-<ms>}),
 * counted and logged at ERROR; the gateway starts with no open episodes. Thread-safe.
 */
public final class AlertStateStore {

    private static final Logger LOG = LoggerFactory.getLogger(AlertStateStore.class);

    private final Path dir;
    private final Path file;
    private final String gateway;
    private final RuleMetrics metrics;
    private final List<List<Alert>> shards = new ArrayList<>();
    private final List<Map<String, Long>> armed = new ArrayList<>();
    private final List<Map<String, Long>> heard = new ArrayList<>();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, Long>> ARMED = new TypeReference<>() {
    };

    public AlertStateStore(Path dir, String gateway, RuleMetrics metrics) {
        this.dir = dir;
        this.file = dir.resolve("open.json");
        this.gateway = gateway;
        this.metrics = metrics;
    }

    /** The persisted open episodes; empty when there are none (or the file was unreadable). */
    public synchronized List<Alert> load() throws IOException {
        Files.createDirectories(dir);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        try {
            return AlertJson.decodeAll(bytes);
        } catch (IOException e) {
            Path aside = dir.resolve("open.json.corrupt-" + System.currentTimeMillis());
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            metrics.stateError("corrupt_alert_state");
            LOG.error("the alert state {} cannot be read ({}); moved it to {} and starting with no open alerts: "
                    + "alerts open before the restart may be raised again", file, e.getMessage(), aside);
            return List.of();
        }
    }

    /**
     * The persisted armed times (device → gateway epoch ms); empty when there are none or
     * the file cannot be read (then every device counts from this start-up).
     */
    public synchronized Map<String, Long> loadArmed() {
        return loadTimes("armed.json");
    }

    /**
     * Sets a shard's restored armed and last-heard times without writing (at start-up, before
     * the shards run), so that the first save of one shard does not drop the others' devices.
     */
    public synchronized void seedTimes(int shard, Map<String, Long> shardArmed, Map<String, Long> shardHeard) {
        slotTimes(armed, shard, shardArmed);
        slotTimes(heard, shard, shardHeard);
    }

    /** Sets a shard's armed times and rewrites {@code armed.json}. Never throws: a failure is counted and logged. */
    public synchronized void saveArmed(int shard, Map<String, Long> shardArmed) {
        saveTimes("armed.json", armed, shard, shardArmed);
    }

    private Map<String, Long> loadTimes(String name) {
        try {
            return Map.copyOf(MAPPER.readValue(Files.readAllBytes(dir.resolve(name)), ARMED));
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException | RuntimeException e) {
            metrics.stateError("corrupt_alert_state");
            LOG.error("the device times {} cannot be read ({}); silent devices count from this start-up",
                    dir.resolve(name), e.getMessage());
            return Map.of();
        }
    }

    private static void slotTimes(List<Map<String, Long>> perShard, int shard, Map<String, Long> times) {
        while (perShard.size() <= shard) {
            perShard.add(Map.of());
        }
        perShard.set(shard, Map.copyOf(times));
    }

    private void saveTimes(String name, List<Map<String, Long>> perShard, int shard, Map<String, Long> times) {
        slotTimes(perShard, shard, times);
        Map<String, Long> all = new TreeMap<>();
        perShard.forEach(all::putAll);
        try {
            write(dir.resolve(name), MAPPER.writeValueAsBytes(all));
        } catch (IOException | RuntimeException e) {
            metrics.stateError("alert_state_write");
            LOG.error("writing the device times {} failed; after a restart silent devices count from that start-up",
                    dir.resolve(name), e);
        }
    }

    /**
     * The persisted last-heard times (device → gateway epoch ms); empty when there are none
     * or the file cannot be read (then every device counts from this start-up).
     */
    public synchronized Map<String, Long> loadLastHeard() {
        return loadTimes("heard.json");
    }

    /** Sets a shard's last-heard times and rewrites {@code heard.json}. Never throws: a failure is counted and logged. */
    public synchronized void saveLastHeard(int shard, Map<String, Long> shardHeard) {
        saveTimes("heard.json", heard, shard, shardHeard);
    }

    /** Sets a shard's open episodes without writing (at start-up, before the shards run). */
    public synchronized void seed(int shard, List<Alert> open) {
        slot(shard, open);
    }

    /** Sets a shard's open episodes and rewrites the file. Never throws: a failure is counted and logged. */
    public synchronized void save(int shard, List<Alert> open) {
        slot(shard, open);
        List<Alert> all = new ArrayList<>();
        for (List<Alert> s : shards) {
            all.addAll(s);
        }
        try {
            write(file, AlertJson.encodeAll(all, gateway));
        } catch (IOException | RuntimeException e) {
            metrics.stateError("alert_state_write");
            LOG.error("writing the alert state {} failed; after a restart open alerts may be raised again", file, e);
        }
    }

    private void slot(int shard, List<Alert> open) {
        while (shards.size() <= shard) {
            shards.add(List.of());
        }
        shards.set(shard, List.copyOf(open));
    }

    private void write(Path target, byte[] bytes) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a folder for syncing; the rename itself is atomic.
            LOG.debug("cannot sync folder {}: {}", dir, e.toString());
        }
    }

    public Path file() {
        return file;
    }
}
