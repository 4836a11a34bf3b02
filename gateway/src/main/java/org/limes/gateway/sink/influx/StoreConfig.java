package org.limes.gateway.sink.influx;

import java.util.Set;
import org.limes.gateway.config.Require;
import org.limes.gateway.pipeline.Routing;
import org.limes.gateway.privacy.PseudonymiseConfig;

/**
 * {@code store:} — where readings are stored. {@code embedded} runs QuestDB in-process
 * (its InfluxDB v2 write API); {@code influxdb} writes to an InfluxDB 2.x server. Both go
 * through the same influxdb-client-java writer.
 *
 * @param kind           {@code embedded} (default) or {@code influxdb}
 * @param host           embedded: bind address (default 127.0.0.1)
 * @param httpPort       embedded: HTTP port (default 9000; 0 = any free port)
 * @param url            influxdb: server URL
 * @param org            influxdb: organisation
 * @param bucket         bucket (default limes)
 * @param tokenFile      influxdb: file holding the API token
 * @param tokenEnv       influxdb: environment variable holding the API token
 * @param batchSize      points per write (default 1000)
 * @param retryInitialMs first retry delay (default 250)
 * @param retryMaxMs     longest retry delay; retries never give up (default 30000)
 * @param routing        what the store receives (default: every reading and alert)
 * @param pseudonymisePlates when given, the store gets a keyed hash of every plate instead of the plate
 * @param lingerMs       how long a batch of fewer than {@code batch_size} readings waits for more before it
 *                       is written (default 100; 0 = write what is there at once). Each write is one
 *                       commit in the store; for QuestDB, whose commits of rows older than the newest
 *                       stored are merges, fewer and larger commits cost far less per row. Alerts never wait.
 */
public record StoreConfig(String kind, String host, Integer httpPort, String url, String org, String bucket,
        String tokenFile, String tokenEnv, Integer batchSize, Integer retryInitialMs, Integer retryMaxMs,
        Routing routing, PseudonymiseConfig pseudonymisePlates, Integer lingerMs) {

    public StoreConfig {
        kind = Require.oneOf("kind", kind, "embedded", Set.of("embedded", "influxdb"));
        host = host == null ? "127.0.0.1" : host;
        httpPort = Require.port("http_port", httpPort, 9000, true);
        bucket = bucket == null ? "limes" : Require.nonBlank("bucket", bucket);
        if ("influxdb".equals(kind)) {
            Require.nonBlank("url", url);
            Require.nonBlank("org", org);
            if ((tokenFile == null) == (tokenEnv == null)) {
                throw new IllegalArgumentException("token_file or token_env (exactly one) is required with "
                        + "kind influxdb; tokens are never written inline");
            }
        } else {
            org = org == null ? "limes" : org;
        }
        batchSize = (int) Require.range("batch_size", batchSize, 1000, 1, 100_000);
        retryInitialMs = (int) Require.range("retry_initial_ms", retryInitialMs, 250, 1, 600_000);
        retryMaxMs = (int) Require.range("retry_max_ms", retryMaxMs, 30_000, retryInitialMs, 3_600_000);
        routing = routing == null ? Routing.ALL : routing;
        lingerMs = (int) Require.range("linger_ms", lingerMs, 100, 0, 10_000);
    }

    public boolean embedded() {
        return "embedded".equals(kind);
    }
}
