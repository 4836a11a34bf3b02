package org.limes.gateway.sink.influx;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import java.time.Duration;
import okhttp3.OkHttpClient;

/**
 * Builds the InfluxDB v2 client the store sink writes through, for the embedded QuestDB (its
 * InfluxDB v2 write API) and an InfluxDB 2.x server alike. Cheap, no I/O: the client connects
 * on first write. The caller owns the client and closes it after the sink.
 */
public final class InfluxClientFactory {

    private InfluxClientFactory() {
    }

    /**
     * A client for {@code url} with {@code token}, writing to the configured org and bucket:
     * 10 s to connect, 60 s to read or write a batch.
     */
    public static InfluxDBClient create(String url, String token, StoreConfig store) {
        return InfluxDBClientFactory.create(InfluxDBClientOptions.builder()
                .url(url).authenticateToken(token.toCharArray()).org(store.org())
                .bucket(store.bucket())
                .okHttpClient(new OkHttpClient.Builder()
                        .connectTimeout(Duration.ofSeconds(10))
                        .readTimeout(Duration.ofSeconds(60))
                        .writeTimeout(Duration.ofSeconds(60)))
                .build());
    }
}
