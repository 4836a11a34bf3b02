package org.limes.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.embedded.EmbeddedStore;
import org.limes.gateway.picture.PictureConfig;
import org.limes.gateway.picture.PictureStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's {@code data_dir}: broker and store files, outboxes, alert state, pictures.
 * Used on the starting thread only.
 */
final class DataDir {

    private static final Logger LOG = LoggerFactory.getLogger(DataDir.class);

    private DataDir() {
    }

    /** The absolute {@code data_dir}, owner-only, with room for the embedded store when there is one. */
    static Path prepare(GatewayConfig config) throws IOException {
        Path data = Path.of(config.dataDir()).toAbsolutePath();
        if (config.store().embedded()) {
            // Before anything is started: on a small volume QuestDB fails half-way with errno 28.
            EmbeddedStore.requireFreeSpace(data, EmbeddedStore.MIN_FREE_BYTES);
        }
        return ownerOnly(data);
    }

    /**
     * Creates {@code data_dir} readable by its owner only (0700), or narrows an existing one,
     * with the outbox and alert-state directories in it: the centre outboxes hold plain plates,
     * and the files in them are created with the umask's mode, so the directory is the lock.
     */
    static Path ownerOnly(Path data) throws IOException {
        Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
        try {
            Files.createDirectories(data, PosixFilePermissions.asFileAttribute(owner));
            for (Path p : new Path[] {data, data.resolve("outbox"), data.resolve("alerts")}) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !Files.getPosixFilePermissions(p).equals(owner)) {
                    Files.setPosixFilePermissions(p, owner);
                    LOG.info("{} was readable by other users; it is now owner-only (0700)", p);
                }
            }
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(data);
            LOG.info("{} has no POSIX permissions; protect it by other means (it holds plates)", data);
        }
        return data;
    }

    /**
     * The picture store (under {@code data_dir/pictures} unless configured elsewhere); with the
     * keep policy, swept once a minute for pictures past their age by a daemon thread that
     * {@code closeables} stops.
     */
    static PictureStore pictures(PictureConfig pc, Path data, Clock clock, MeterRegistry registry,
            Deque<AutoCloseable> closeables) throws IOException {
        Path dir = pc.directory() == null ? data.resolve("pictures") : Path.of(pc.directory());
        PictureStore pictures = PictureStore.open(pc, dir, clock, registry);
        if (pictures.keeps()) {
            ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "limes-pictures");
                t.setDaemon(true);
                return t;
            });
            sweeper.scheduleWithFixedDelay(pictures::sweep, 0, 1, TimeUnit.MINUTES);
            closeables.push(sweeper::shutdownNow);
        }
        return pictures;
    }
}
