package org.limes.gateway.picture;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.limes.drivers.Attachment;
import org.limes.drivers.Reading;
import org.limes.gateway.ratelimit.LogLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the pictures of camera reads go: dropped (the default), or kept in a bounded local
 * directory and referenced from the reading's {@value #FIELD} field. Pictures never go to the
 * time-series store or to the centres.
 *
 * <p>A kept read is one directory, {@code <device>/<yyyy-MM-dd>/<HHmmss.SSS>Z-<crc>}, named
 * by the device, its UTC device time and a checksum of its pictures, holding the pictures
 * under the names the camera gave them. That path, relative to the root, is the
 * {@code picture_ref}. The name is a function of the read, so a redelivered frame (MQTT
 * after a reconnect, an HTTP retry) finds its directory already there and writes nothing
 * twice. A read is written to {@code .incoming/} first and moved into place whole.
 *
 * <p>Every read with pictures is counted once in {@code limes.pictures{outcome}}: {@code dropped},
 * {@code kept}, {@code duplicate} (already kept). Bounds, counted there too and logged at most
 * once a minute: beyond {@code max_bytes} or {@code max_reads} the oldest reads are deleted
 * ({@code evicted}); reads older than {@code max_age} are deleted by {@link #sweep}
 * ({@code expired}); a read bigger than {@code max_bytes} on its own is not kept
 * ({@code too_large}). A write that fails (disk full, permissions) is counted
 * ({@code failed}) and the reading goes on without a reference: a picture is never worth
 * a lost reading. At start-up the directory is indexed again, oldest first by modification
 * time, and trimmed to the bounds.
 *
 * <p>Thread-safe; writes are serialised (camera reads arrive a few a second, and each is
 * a few hundred KB to the page cache, no fsync: a picture lost in a power cut is acceptable,
 * a stalled pipeline is not).
 */
public final class PictureStore {

    /** The reading field that references a kept read's pictures. */
    public static final String FIELD = "picture_ref";

    private static final Logger LOG = LoggerFactory.getLogger(PictureStore.class);
    private static final String INCOMING = ".incoming";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    /** One path segment of a reference: what {@link Attachment#safeName} produces. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

    private final PictureConfig config;
    private final Path root;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final LogLimiter logLimiter = new LogLimiter(TimeUnit.MINUTES.toNanos(1), 64);
    /** Kept reads, oldest first; at most {@code max_reads}. */
    private final ArrayDeque<Kept> kept = new ArrayDeque<>();
    /** The references in {@link #kept}. */
    private final Set<String> refs = new HashSet<>();
    private long bytes;
    private long sequence;

    private record Kept(String ref, long bytes, long keptAtMs) {
    }

    private PictureStore(PictureConfig config, Path root, Clock clock, MeterRegistry registry) {
        this.config = config;
        this.root = root;
        this.clock = clock;
        this.registry = registry;
    }

    /**
     * Opens the store. With the {@code keep} policy, creates the directory (owner-only where
     * the file system has POSIX permissions), indexes what is in it and trims it to the bounds.
     *
     * @param root the directory: the configured one, or {@code <data_dir>/pictures}
     * @throws IOException when the directory cannot be created or read
     */
    public static PictureStore open(PictureConfig config, Path root, Clock clock, MeterRegistry registry)
            throws IOException {
        PictureStore store = new PictureStore(config, root, clock, registry);
        Gauge.builder("limes.pictures.kept.bytes", store, PictureStore::bytes).description("Bytes of pictures kept")
                .baseUnit("bytes").strongReference(true).register(registry);
        Gauge.builder("limes.pictures.kept.reads", store, PictureStore::reads).description("Reads whose pictures are kept")
                .strongReference(true).register(registry);
        if (config.keep()) {
            store.index();
            LOG.info("pictures are kept in {}: {} reads, {} bytes (at most {} reads, {} bytes, {})", root,
                    store.reads(), store.bytes(), config.maxReads(), config.maxBytes(), config.maxAge());
        } else {
            LOG.info("pictures are dropped (pictures.policy: drop); only their sizes are stored (picture_bytes)");
        }
        return store;
    }

    /** A store that drops every picture (and counts it): the {@code drop} policy, without a directory. */
    public static PictureStore dropping(MeterRegistry registry) {
        try {
            return open(PictureConfig.defaults(), Path.of("pictures-not-kept"), Clock.systemUTC(), registry);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen: dropping touches no file
        }
    }

    /** The directory kept pictures go to. */
    public Path root() {
        return root;
    }

    /** Whether pictures are kept (policy {@code keep}). */
    public boolean keeps() {
        return config.keep();
    }

    /** Bytes of pictures kept now. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Reads whose pictures are kept now. */
    public synchronized int reads() {
        return kept.size();
    }

    /**
     * Keeps or drops the pictures of one reading.
     *
     * @param reading     the reading they belong to (its device and device time name them)
     * @param payload     the frame the attachments are spans of
     * @param attachments the reading's pictures, not empty
     * @return the reading with {@value #FIELD} set when they were kept (or already were), else
     *         the reading unchanged
     */
    public Reading attach(Reading reading, byte[] payload, List<Attachment> attachments) {
        if (!config.keep()) {
            count("dropped", 1);
            return reading;
        }
        long size = 0;
        CRC32C crc = new CRC32C();
        for (Attachment a : attachments) {
            if ((long) a.offset() + a.length() > payload.length) {
                // A driver fault, not the device's: the reading is worth more than its pictures.
                count("failed", 1);
                warn("span", "a driver handed over picture {} of a read of {} at bytes {}..{} of a {}-byte frame; the "
                        + "reading goes on without its pictures", a.name(), reading.deviceId(), a.offset(),
                        (long) a.offset() + a.length(), payload.length);
                return reading;
            }
            size += a.length();
            crc.update(payload, a.offset(), a.length());
        }
        String ref = Attachment.safeName(reading.deviceId()) + '/' + DAY.format(reading.deviceTime()) + '/'
                + TIME.format(reading.deviceTime()) + '-' + String.format(Locale.ROOT, "%08x", crc.getValue());
        synchronized (this) {
            if (refs.contains(ref)) {
                count("duplicate", 1);
                return reading.withField(FIELD, ref);
            }
            if (size > config.maxBytes()) {
                count("too_large", 1);
                warn("too_large", "the pictures of a read of {} ({} bytes) are more than pictures.max_bytes ({}) "
                        + "on their own and are not kept", reading.deviceId(), size, config.maxBytes());
                return reading;
            }
            makeRoom(size);
            try {
                write(ref, payload, attachments);
            } catch (FileAlreadyExistsException e) {
                // Kept before the index knew it (a read from before a restart that was trimmed away, re-sent).
                count("duplicate", 1);
                return reading.withField(FIELD, ref);
            } catch (IOException | UncheckedIOException e) {
                count("failed", 1);
                warn("failed", "cannot keep the pictures of a read of {} in {}: {}; the reading goes on without them",
                        reading.deviceId(), root, e.getMessage());
                return reading;
            }
            kept.addLast(new Kept(ref, size, clock.millis()));
            refs.add(ref);
            bytes += size;
            count("kept", 1);
            return reading.withField(FIELD, ref);
        }
    }

    /** Deletes the reads kept longer than {@code max_age}. Called once a minute by the gateway. */
    public synchronized void sweep() {
        long oldest = clock.millis() - config.maxAgeMs();
        int expired = 0;
        while (!kept.isEmpty() && kept.peekFirst().keptAtMs() < oldest) {
            remove(kept.removeFirst());
            expired++;
        }
        if (expired > 0) {
            count("expired", expired);
            LOG.info("deleted the pictures of {} reads older than pictures.max_age ({})", expired, config.maxAge());
        }
    }

    /**
     * The file of a kept picture, for the admin API; null when {@code ref} and {@code name} do
     * not name a regular file of a read this store kept. Nothing that tries to leave the
     * directory resolves: each segment is checked, a link is never followed (the file itself
     * is looked at without following links, and its real path must lie under the directory's
     * real path, so a linked device, day or read directory fails too).
     */
    public Path picture(String ref, String name) {
        String[] parts = ref.split("/", -1);
        if (!config.keep() || parts.length != 3 || !SEGMENT.matcher(name).matches()) {
            return null;
        }
        for (String p : parts) {
            if (!SEGMENT.matcher(p).matches()) {
                return null;
            }
        }
        synchronized (this) {
            if (!refs.contains(ref)) {
                return null;
            }
        }
        Path file = root.resolve(parts[0]).resolve(parts[1]).resolve(parts[2]).resolve(name);
        try {
            if (!Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()
                    || !file.toRealPath().startsWith(root.toRealPath())) {
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        return file;
    }

    /**
     * The bytes of a kept picture, or null when {@link #picture} finds none. The file is
     * opened without following a link ({@code O_NOFOLLOW}), so one swapped in after the check
     * is refused too.
     */
    public byte[] read(String ref, String name) throws IOException {
        Path file = picture(ref, name);
        if (file == null) {
            return null;
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return in.readAllBytes();
        } catch (FileSystemException e) {
            // ELOOP: a link was put in its place.
            return null;
        }
    }

    /**
     * The names of a kept read's pictures (regular files only, links never listed), or an
     * empty list when {@code ref} is not kept.
     */
    public List<String> pictures(String ref) {
        synchronized (this) {
            if (!refs.contains(ref)) {
                return List.of();
            }
        }
        Path dir = root.resolve(ref);
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !dir.toRealPath().startsWith(root.toRealPath())) {
                return List.of();
            }
        } catch (IOException e) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                    .map(f -> f.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private void makeRoom(long size) {
        int evicted = 0;
        while (!kept.isEmpty() && (bytes + size > config.maxBytes() || kept.size() + 1 > config.maxReads())) {
            remove(kept.removeFirst());
            evicted++;
        }
        if (evicted > 0) {
            count("evicted", evicted);
            warn("evicted", "deleted the pictures of the {} oldest reads to stay within pictures.max_bytes ({}) and "
                    + "pictures.max_reads ({}); counted in limes.pictures{outcome=evicted}", evicted,
                    config.maxBytes(), config.maxReads());
        }
    }

    private void write(String ref, byte[] payload, List<Attachment> attachments) throws IOException {
        Path target = root.resolve(ref);
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        Path incoming = root.resolve(INCOMING).resolve(Long.toString(++sequence));
        deleteTree(incoming);
        Files.createDirectories(incoming);
        try {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < attachments.size(); i++) {
                Attachment a = attachments.get(i);
                String name = names.add(a.name()) ? a.name() : (i + 1) + "-" + a.name();
                names.add(name);
                try (var out = Files.newOutputStream(incoming.resolve(name))) {
                    out.write(payload, a.offset(), a.length());
                }
            }
            Files.createDirectories(target.getParent());
            try {
                Files.move(incoming, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(incoming, target);
            }
        } finally {
            deleteTree(incoming);
        }
    }

    private void remove(Kept k) {
        refs.remove(k.ref());
        bytes -= k.bytes();
        Path dir = root.resolve(k.ref());
        try {
            deleteTree(dir);
            // The day and device directories go when they are empty.
            for (Path p = dir.getParent(); p != null && !p.equals(root); p = p.getParent()) {
                Files.delete(p);
            }
        } catch (DirectoryNotEmptyException | NoSuchFileException e) {
            // Other reads still there, or deleted by hand: fine.
        } catch (IOException e) {
            warn("delete", "cannot delete the pictures in {}: {}", dir, e.getMessage());
        }
    }

    /** Rebuilds the index from the directory, oldest first, and trims it to the bounds. */
    private synchronized void index() throws IOException {
        Files.createDirectories(root);
        try {
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            LOG.debug("{} has no POSIX permissions; protect it by other means", root);
        }
        deleteTree(root.resolve(INCOMING));
        List<Kept> found = new ArrayList<>();
        for (Path device : children(root)) {
            for (Path day : children(device)) {
                for (Path read : children(day)) {
                    long size = 0;
                    for (Path f : children(read)) {
                        size += Files.size(f);
                    }
                    found.add(new Kept(root.relativize(read).toString().replace('\\', '/'), size,
                            Files.getLastModifiedTime(read).toMillis()));
                }
            }
        }
        found.sort(Comparator.comparingLong(Kept::keptAtMs));
        for (Kept k : found) {
            kept.addLast(k);
            refs.add(k.ref());
            bytes += k.bytes();
        }
        int evicted = 0;
        while (!kept.isEmpty() && (bytes > config.maxBytes() || kept.size() > config.maxReads())) {
            remove(kept.removeFirst());
            evicted++;
        }
        if (evicted > 0) {
            count("evicted", evicted);
            LOG.warn("deleted the pictures of the {} oldest reads in {} to fit pictures.max_bytes and max_reads",
                    evicted, root);
        }
    }

    /** The entries of a directory the store wrote: never hidden ones, never links (nor what they point to). */
    private static List<Path> children(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (!p.getFileName().toString().startsWith(".") && !Files.isSymbolicLink(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void count(String outcome, long n) {
        outcomes.computeIfAbsent(outcome, o -> Counter.builder("limes.pictures")
                .description("Camera reads with pictures, by what happened to their pictures").tag("outcome", o)
                .register(registry)).increment(n);
    }

    private void warn(String what, String message, Object... args) {
        if (logLimiter.allow(what, System.nanoTime())) {
            LOG.warn(message, args);
        }
    }
}
