package org.limes.gateway.sink;

import java.util.List;
import org.limes.gateway.outbox.OutboxRecord;

/**
 * The protocol half of a sink: connect, encode, send, confirm — nothing else. The
 * {@link SinkDrainer} around it owns the thread, polls the destination's outbox queue,
 * acknowledges, rewinds, backs off and keeps the sink meters; a delivery never retries or
 * sleeps for a retry itself.
 *
 * <p>Called on the drainer's one thread only, so an implementation needs no locks for the
 * state it keeps between batches (a connection, records written but not yet confirmed).
 */
@FunctionalInterface
public interface Delivery {

    /**
     * Delivers {@code batch} in order and returns how many records from its start the
     * destination acknowledged (0 to {@code batch.size()}). Returning fewer than all, without
     * throwing, is no failure: the drainer acknowledges that prefix and offers the rest again
     * at once (a window smaller than the batch, or records sent but not yet confirmed).
     *
     * @throws DeliveryFailed when the destination failed after {@link DeliveryFailed#acknowledged()}
     *                        records: the rest is retried after a backoff; or when the record
     *                        after that prefix can never be delivered
     *                        ({@link DeliveryFailed#undeliverable()}): it is set aside at once
     */
    int deliver(List<OutboxRecord> batch) throws DeliveryFailed;

    /**
     * Connects ahead of the first batch, so a destination is connected before an alert needs
     * it and a wrong address or credential shows at start, not at the first alert. The drainer
     * calls it once at start and, while it fails, again after each backoff; {@link #deliver}
     * must still connect by itself when the connection is lost later. By default nothing: a
     * destination reached by one request per batch (HTTP) has nothing to open.
     *
     * @throws DeliveryFailed when the destination cannot be reached yet
     */
    default void open() throws DeliveryFailed {
    }
}
