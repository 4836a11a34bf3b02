package org.limes.gateway.rules;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.limes.gateway.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the rules of the {@code rules_file} in force again, on request: from the file watcher
 * ({@link #watch}), SIGHUP ({@link #reloadOnSighup}) and {@code POST /api/rules/reload}. A file
 * that does not load (YAML, a rule, a cross-check) is rejected with its error and the previous
 * rules stay in force; every outcome is counted ({@code limes.rules.reloads{outcome}}) and logged.
 *
 * <p>Threading: {@link #reload} is synchronised, so the watcher's thread, the signal thread and
 * the admin server's reload thread never apply two files at once; it blocks until the applier
 * returns (the pipeline's shards took the rules, or the timeout passed).
 */
public final class RulesReloader implements AutoCloseable {

    /** How long the shards have to take new rules. */
    public static final Duration APPLY_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(RulesReloader.class);

    /** Reads and checks a rules file; a file that does not load throws {@link ConfigException}. */
    @FunctionalInterface
    public interface Loader {
        List<RuleConfig> load(Path file);
    }

    /** Puts rules in force everywhere; false when not all of it took them within the timeout. */
    @FunctionalInterface
    public interface Applier {
        boolean apply(List<RuleConfig> rules, Duration timeout) throws InterruptedException;
    }

    private final Path file;
    private final Loader loader;
    private final Applier applier;
    private final RuleMetrics metrics;
    private volatile RulesFileWatcher watcher;

    /**
     * @param file the {@code rules_file}; null when the rules are in the configuration itself,
     *             and then a reload only says so
     */
    public RulesReloader(Path file, Loader loader, Applier applier, RuleMetrics metrics) {
        this.file = file;
        this.loader = loader;
        this.applier = applier;
        this.metrics = metrics;
    }

    /**
     * Reads the {@code rules_file} again and puts its rules in force on every shard: the
     * state of unchanged rules carries over, the outboxes are untouched. A file that does
     * not load (YAML, a rule, a cross-check) is rejected with the error and the previous
     * rules stay in force.
     */
    public synchronized RulesReload reload() {
        if (file == null) {
            return new RulesReload(false, "no rules_file is configured; rules under rules: change with a restart");
        }
        List<RuleConfig> rules;
        try {
            rules = loader.load(file);
        } catch (ConfigException e) {
            metrics.reload("rejected");
            LOG.error("rules file rejected, the previous rules stay in force: {}", e.getMessage());
            return new RulesReload(false, e.getMessage());
        }
        try {
            if (!applier.apply(rules, APPLY_TIMEOUT)) {
                metrics.reload("rejected");
                LOG.error("rules reload did not reach every pipeline shard in time; shards may run mixed rules "
                        + "until the next reload");
                return new RulesReload(false, "the pipeline did not apply the rules within "
                        + APPLY_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RulesReload(false, "interrupted");
        }
        metrics.reload("ok");
        List<String> ids = rules.stream().map(RuleConfig::id).toList();
        LOG.info("rules reloaded from {}: {}", file, ids);
        return new RulesReload(true, "rules in force: " + ids);
    }

    /**
     * Polls the file every {@code intervalMs} and reloads when its content changed, until
     * {@link #close}; nothing when no file is configured. Called once, at start.
     */
    public void watch(long intervalMs) {
        if (file != null && watcher == null) {
            watcher = new RulesFileWatcher(file, intervalMs, this::reload);
        }
    }

    /**
     * Reloads the rules on SIGHUP, where the JVM lets us handle it ({@code sun.misc.Signal});
     * returns false when it does not. For the {@code run} command only: a process has one handler.
     */
    public boolean reloadOnSighup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {
                RulesReload r = reload();
                LOG.info("SIGHUP: {}", r.message());
            });
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            LOG.warn("SIGHUP cannot be handled on this JVM ({}); the rules file is still watched", e.toString());
            return false;
        }
    }

    /** Stops watching the file (without waiting for a reload in progress). */
    @Override
    public void close() {
        RulesFileWatcher w = watcher;
        if (w != null) {
            w.close();
        }
    }
}
