package org.limes.gateway;

import java.nio.file.Path;
import java.util.Deque;
import org.limes.gateway.config.Secrets;
import org.limes.gateway.embedded.EmbeddedStore;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.embedded.QuestDbSchema;
import org.limes.gateway.sink.influx.StoreConfig;
import org.limes.gateway.sink.influx.StoreSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the store sink writes: the embedded QuestDB, started here (its tables created for each
 * new measurement and tag set), or an InfluxDB 2.x server and its token.
 *
 * @param url    the store's HTTP URL
 * @param token  the API token ({@code embedded} for QuestDB, which ignores it)
 * @param schema creates what a batch needs before it is written; {@link StoreSchema#NONE} for InfluxDB
 */
record Store(String url, String token, StoreSchema schema) {

    private static final Logger LOG = LoggerFactory.getLogger(Store.class);

    /** Starts the embedded store (closed through {@code closeables}) or reads the external one's token. */
    static Store start(StoreConfig storeConfig, Path data, Deque<AutoCloseable> closeables) {
        if (!storeConfig.embedded()) {
            return new Store(storeConfig.url(), Secrets.read(storeConfig.tokenFile(), storeConfig.tokenEnv()),
                    StoreSchema.NONE);
        }
        EmbeddedStore store = EmbeddedStore.start(data.resolve("questdb"), storeConfig.host(), storeConfig.httpPort());
        closeables.push(store);
        QuestDbSchema questdb = new QuestDbSchema(new QuestDbClient(store.url()));
        StoreSchema schema = questdb::ensure;
        LOG.info("embedded store (QuestDB) at {} — SQL console in the browser", store.url());
        return new Store(store.url(), "embedded", schema);
    }
}
