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
import java.time.Clock;
import java.util.List;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.sink.Backoff;
import org.limes.gateway.sink.Delivery;
import org.limes.gateway.sink.DeliveryFailed;
import org.limes.gateway.sink.SinkDrainer;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.sink.Undeliverable;

/**
 * Feeds the store from its outbox: writes a batch with influxdb-client-java's
 * {@link WriteApiBlocking} (the asynchronous WriteApi drops points silently under
 * backpressure); its {@link SinkDrainer} advances the outbox only when the write succeeded.
 *
 * <p>A failed write is retried by the drainer with exponential backoff and jitter, without
 * limit: a store that is down for hours only makes the outbox grow. A batch the store rejects
 * as malformed (HTTP 400/413/422), or with a line the gateway cannot prepare for the store
 * (a name QuestDB cannot hold), is split and written line by line, so only the lines at
 * fault are set aside — into the destination's dead-letter file, counted and logged
 * ({@link DestinationQueue#setAside}) — and the rest are stored: a line no retry can
 * deliver never stalls the lines behind it. Writes are
 * idempotent (same measurement, tags and timestamp overwrite), so redelivery after a
 * crash does not duplicate points.
 *
 * <p>Cost per record: the outbox already holds each record as line-protocol bytes, so a batch
 * is joined once into one body (one {@code String} per batch, which is what the client's
 * {@link WriteApiBlocking} takes), not one {@code String} per record; the store's schema step
 * sees each line's bytes and asks the store only for a shape it does not know yet
 * ({@link KnownShapes}, up to {@value #MAX_SHAPES} shapes).
 *
 * <p>Threading: {@link #deliver} on the drainer's one thread, the only consumer of its outbox.
 */
public final class InfluxSink implements Delivery, AutoCloseable {

    private static final int MAX_BATCH_BYTES = 8 << 20;
    static final int MAX_SHAPES = 4096;

    private final WriteApiBlocking writer;
    private final String bucket;
    private final String org;
    /** Null for {@link StoreSchema#NONE}: no line's shape is read. */
    private final KnownShapes shapes;
    private final SinkDrainer drainer;

    public InfluxSink(DestinationQueue outbox, WriteApiBlocking writer, StoreConfig config, StoreSchema schema,
            SinkMetrics metrics, Clock clock) {
        this.writer = writer;
        this.bucket = config.bucket();
        this.org = config.org();
        this.shapes = schema == StoreSchema.NONE ? null : new KnownShapes(schema, MAX_SHAPES);
        this.drainer = new SinkDrainer(outbox, this, metrics, clock,
                new Backoff(config.retryInitialMs(), config.retryMaxMs()), config.batchSize(), MAX_BATCH_BYTES,
                config.lingerMs(), 10_000);
    }

    public void start() {
        drainer.start();
    }

    /**
     * Writes the batch. Transient failures (the store down, a network error, a schema query
     * that failed, 401/403/404 which an operator can put right) are left to the drainer to
     * retry; a batch with a permanent failure (400, 413, 422, or a line the gateway cannot
     * prepare for the store) is written record by record, so only the records at fault are
     * set aside.
     */
    @Override
    public int deliver(List<OutboxRecord> records) throws DeliveryFailed {
        Undeliverable permanent;
        String errorType;
        try {
            if (shapes != null) {
                for (OutboxRecord r : records) {
                    shapes.prepare(r.payload());
                }
            }
            writer.writeRecord(bucket, org, WritePrecision.NS, body(records));
            return records.size();
        } catch (BadRequestException | UnprocessableEntityException | RequestEntityTooLargeException e) {
            errorType = "rejected";
            permanent = new Undeliverable("rejected_by_store", "HTTP " + e.status() + " " + e.getMessage(), e);
        } catch (InfluxException | IOException | UncheckedIOException e) {
            throw DeliveryFailed.retry(0, "unavailable", "store write of " + records.size() + " points failed ("
                    + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            // Preparing or encoding a line for the store failed the same way it always will
            // (a name the store cannot hold): retrying would stall every record behind it.
            errorType = "client_error";
            permanent = new Undeliverable("client_error", e.toString(), e);
        }
        if (records.size() == 1) {
            throw DeliveryFailed.setAside(0, errorType, permanent);
        }
        for (int i = 0; i < records.size(); i++) {
            try {
                deliver(List.of(records.get(i)));
            } catch (DeliveryFailed f) {
                throw f.after(i);
            }
        }
        return records.size();
    }

    /** The records' lines as one line-protocol body, a newline between records that lack one. */
    static String body(List<OutboxRecord> records) {
        int length = 0;
        for (OutboxRecord r : records) {
            length += r.payload().length + 1;
        }
        byte[] body = new byte[length];
        int at = 0;
        for (OutboxRecord r : records) {
            byte[] line = r.payload();
            System.arraycopy(line, 0, body, at, line.length);
            at += line.length;
            if (line.length == 0 || line[line.length - 1] != '\n') {
                body[at++] = '\n';
            }
        }
        return new String(body, 0, at, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        drainer.close();
    }
}
