package org.limes.gateway.sink.influx;

import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.exceptions.BadRequestException;
import com.influxdb.exceptions.InfluxException;
import com.influxdb.exceptions.RequestEntityTooLargeException;
import com.influxdb.exceptions.UnprocessableEntityException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.sink.Backoff;
import org.limes.gateway.sink.SinkMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the store from its outbox: takes a batch, writes it with influxdb-client-java's
 * {@link WriteApiBlocking} (the asynchronous WriteApi drops points silently under
 * backpressure), and advances the outbox only when the write succeeded.
 *
 * <p>A failed write is retried with exponential backoff and jitter, without limit: a store
 * that is down for hours only makes the outbox grow. A batch the store rejects as
 * malformed (HTTP 400/413/422), or with a line the gateway cannot prepare for the store
 * (a name QuestDB cannot hold), is split and written line by line, so only the lines at
 * fault are set aside — into the destination's dead-letter file, counted and logged
 * ({@link DestinationQueue#setAside}) — and the rest are stored: a line no retry can
 * deliver never stalls the lines behind it. Writes are
 * idempotent (same measurement, tags and timestamp overwrite), so redelivery after a
 * crash does not duplicate points.
 *
 * <p>Threading: one thread of its own, the only consumer of its outbox.
 */
public final class InfluxSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InfluxSink.class);
    private static final int MAX_BATCH_BYTES = 8 << 20;

    private final DestinationQueue outbox;
    private final WriteApiBlocking writer;
    private final String bucket;
    private final String org;
    private final int batchSize;
    private final StoreSchema schema;
    private final SinkMetrics metrics;
    private final Backoff backoff;
    private final Thread thread;
    private volatile boolean running = true;

    public InfluxSink(DestinationQueue outbox, WriteApiBlocking writer, StoreConfig config, StoreSchema schema,
            SinkMetrics metrics) {
        this.outbox = outbox;
        this.writer = writer;
        this.bucket = config.bucket();
        this.org = config.org();
        this.batchSize = config.batchSize();
        this.schema = schema;
        this.metrics = metrics;
        this.backoff = new Backoff(config.retryInitialMs(), config.retryMaxMs());
        this.thread = new Thread(this::loop, "limes-sink-" + outbox.destination());
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                List<OutboxRecord> batch = outbox.poll(batchSize, MAX_BATCH_BYTES, 200, TimeUnit.MILLISECONDS);
                if (batch.isEmpty()) {
                    continue;
                }
                deliver(batch);
                outbox.acknowledge(batch.get(batch.size() - 1).seq() + 1);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                LOG.error("store sink: reading the outbox failed; retrying", e);
                outbox.rewind();
                pause(backoff.nextDelayMs());
            }
        }
    }

    /**
     * Writes until the store has taken every record or a record was set aside as one the store
     * can never take. Transient failures (the store down, a network error, a schema query that
     * failed, 401/403/404 which an operator can put right) are retried with backoff; a batch
     * with a permanent failure (400, 413, 422, or a line the gateway cannot prepare for the
     * store) is written record by record, so only the records at fault are set aside.
     *
     * @throws IOException when a dead-letter file cannot be written
     */
    private void deliver(List<OutboxRecord> records) throws InterruptedException, IOException {
        List<String> lines = new ArrayList<>(records.size());
        for (OutboxRecord r : records) {
            lines.add(new String(r.payload(), StandardCharsets.UTF_8));
        }
        while (running) {
            long start = System.nanoTime();
            String permanent;
            try {
                schema.prepare(lines);
                writer.writeRecords(bucket, org, WritePrecision.NS, lines);
                metrics.written(System.nanoTime() - start, lines.size(), System.currentTimeMillis());
                backoff.reset();
                return;
            } catch (BadRequestException | UnprocessableEntityException | RequestEntityTooLargeException e) {
                metrics.failed(System.nanoTime() - start, "rejected");
                permanent = "rejected_by_store: HTTP " + e.status() + " " + e.getMessage();
            } catch (InfluxException | IOException | UncheckedIOException e) {
                metrics.failed(System.nanoTime() - start, "unavailable");
                long delay = backoff.nextDelayMs();
                LOG.warn("store write of {} points failed ({}); retrying in {} ms", lines.size(), e.getMessage(),
                        delay);
                pause(delay);
                continue;
            } catch (RuntimeException e) {
                // Preparing or encoding a line for the store failed the same way it always will
                // (a name the store cannot hold): retrying would stall every record behind it.
                metrics.failed(System.nanoTime() - start, "client_error");
                permanent = "client_error: " + e;
            }
            if (records.size() > 1) {
                for (OutboxRecord r : records) {
                    deliver(List.of(r));
                }
                return;
            }
            int colon = permanent.indexOf(':');
            metrics.dropped(permanent.substring(0, colon), 1);
            outbox.setAside(records.get(0), permanent.substring(0, colon), permanent.substring(colon + 2));
            return;
        }
        throw new InterruptedException("store sink stopped");
    }

    private void pause(long ms) {
        Backoff.pause(ms, () -> running);
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
