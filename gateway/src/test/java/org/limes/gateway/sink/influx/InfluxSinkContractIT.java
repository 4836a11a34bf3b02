package org.limes.gateway.sink.influx;

import com.fasterxml.jackson.databind.JsonNode;
import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.limes.gateway.embedded.EmbeddedStore;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.embedded.QuestDbSchema;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.sink.SinkContractTest;
import org.limes.gateway.sink.SinkMetrics;

/**
 * The store sink against the sink contract, with the embedded QuestDB as the store: it
 * refuses by being stopped, and accepts by being started again on the same port and data.
 * What it received is read back with SQL, one row per point written.
 */
class InfluxSinkContractIT extends SinkContractTest {

    private static final long BASE_NS = 1_700_000_000_000_000_000L;

    private EmbeddedStore store;
    private int port;
    private QuestDbClient sql;
    private final List<InfluxDBClient> clients = new ArrayList<>();

    @BeforeEach
    void startStore() {
        store = EmbeddedStore.start(dir.resolve("questdb"), "127.0.0.1", 0);
        port = store.httpPort();
        sql = new QuestDbClient(store.url());
    }

    @AfterEach
    void stopStore() {
        clients.forEach(InfluxDBClient::close);
        if (store != null) {
            store.close();
        }
    }

    @Override
    protected String destination() {
        return "store";
    }

    @Override
    protected AutoCloseable startSink(DestinationQueue queue, SinkMetrics metrics, Clock clock) {
        InfluxDBClient influx = InfluxDBClientFactory.create("http://127.0.0.1:" + port, "any-token".toCharArray(),
                "limes", "limes");
        clients.add(influx);
        QuestDbSchema questdb = new QuestDbSchema(sql);
        StoreSchema schema = questdb::ensure;
        StoreConfig config = new StoreConfig("embedded", null, 0, null, null, null, null, null, 100, 250, 30_000,
                null, null, null);
        InfluxSink sink = new InfluxSink(queue, influx.getWriteApiBlocking(), config, schema, metrics, clock);
        sink.start();
        return sink;
    }

    @Override
    protected byte recordType() {
        return OutboxRecord.READING;
    }

    @Override
    protected byte[] record(int n) {
        return ("contract,device=cnt-0" + n + " n=" + n + "i " + (BASE_NS + n * 1_000_000_000L))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A measurement name QuestDB cannot hold: the schema refuses it on every retry. */
    @Override
    protected byte[] undeliverable() {
        return "plc-x,device=lp-1 v=1 1700000000000000000".getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected List<Integer> received() throws Exception {
        if (store == null || !sql.tableExists("contract")) {
            return List.of();
        }
        // The schema creates the table before the first write adds the field column n.
        JsonNode answer = sql.exec("SELECT * FROM contract ORDER BY timestamp");
        int column = -1;
        for (int i = 0; i < answer.path("columns").size(); i++) {
            if (answer.path("columns").path(i).path("name").asText().equals("n")) {
                column = i;
            }
        }
        List<Integer> rows = new ArrayList<>();
        for (JsonNode row : column < 0 ? List.<JsonNode>of() : answer.path("dataset")) {
            rows.add(row.path(column).asInt());
        }
        return rows;
    }

    @Override
    protected void refuse() {
        store.close();
        store = null;
    }

    @Override
    protected void accept() {
        store = EmbeddedStore.start(dir.resolve("questdb"), "127.0.0.1", port);
        sql = new QuestDbClient(store.url());
    }
}
