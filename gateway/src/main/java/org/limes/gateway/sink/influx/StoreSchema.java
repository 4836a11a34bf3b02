package org.limes.gateway.sink.influx;

import java.io.IOException;
import java.util.List;

/**
 * Declares what a store needs declared before a line is written (for the embedded
 * QuestDB: tables with deduplication on timestamp and tags). InfluxDB needs nothing:
 * {@link #NONE}, and the sink then reads no line's shape at all. The sink calls
 * {@link #ensure} once per line shape it does not know yet ({@link KnownShapes}), before
 * writing the batch that holds it. Called on the sink thread only.
 */
public interface StoreSchema {

    StoreSchema NONE = (measurement, tagKeys) -> { };

    /**
     * Makes the store ready for lines of this measurement with these tag keys (unescaped, in
     * line order). Idempotent.
     *
     * @throws IOException if the store could not be asked (retried by the drainer)
     * @throws RuntimeException if a name is one the store cannot hold (the line is set aside)
     */
    void ensure(String measurement, List<String> tagKeys) throws IOException;
}
