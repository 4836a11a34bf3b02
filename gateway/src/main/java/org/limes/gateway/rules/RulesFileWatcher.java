package org.limes.gateway.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a rules file and calls {@code onChange} when its content differs from what was
 * last seen. Content, not modification time: an edit within the same second, or a file
 * replaced by a rename, is still seen. A half-written file is simply rejected by the
 * reload (the old rules stay in force) and picked up complete at the next poll. Runs on
 * its own daemon thread; {@code onChange} must not throw.
 */
public final class RulesFileWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RulesFileWatcher.class);

    private final Path file;
    private final Runnable onChange;
    private final ScheduledExecutorService executor;
    private byte[] seen;

    public RulesFileWatcher(Path file, long intervalMs, Runnable onChange) {
        this.file = file;
        this.onChange = onChange;
        this.seen = read();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "limes-rules-watch");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::poll, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    private void poll() {
        byte[] now = read();
        if (now != null && !Arrays.equals(now, seen)) {
            seen = now;
            LOG.info("rules file {} changed; reloading", file);
            onChange.run();
        }
    }

    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.warn("cannot read rules file {}: {}", file, e.toString());
            return null;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
