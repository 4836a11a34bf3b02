package org.limes.gateway.sink.influx;

import java.io.IOException;
import java.util.List;

/**
 * Declares what a store needs declared before a batch is written (for the embedded
 * QuestDB: tables with deduplication on timestamp and tags). InfluxDB needs nothing:
 * {@link #NONE}. Called on the sink thread only.
 */
public interface StoreSchema {

    StoreSchema NONE = lines -> { };

    void prepare(List<String> lines) throws IOException;
}
