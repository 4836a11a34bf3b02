package org.limes.gateway.source.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.limes.gateway.config.Require;
import org.limes.gateway.source.SourceConfig;
import org.limes.gateway.tls.TlsConfig;

/**
 * A {@code type: http} source: {@code POST /ingest/{driver}} on its own port, apart from the
 * admin API.
 *
 * @param name                  source name, used in metrics and logs
 * @param host                  address to listen on (default 0.0.0.0)
 * @param port                  port; 0 picks a free one (required)
 * @param drivers               the drivers that may be named in the path, each with options
 * @param maxBodyBytes          largest request body; larger ones get 413 (default 1 MiB)
 * @param maxConnections        open connections at once (default 256)
 * @param maxConnectionsPerPeer open connections from one address (default 16)
 * @param requestTimeoutMs      a request must arrive whole within this time of its first byte, else
 *                              408 (slow clients); also the idle time of a keep-alive connection
 *                              (default 10000)
 * @param ackTimeoutMs          how long a request waits for its readings to be durable before
 *                              503 (default 30000)
 * @param retryAfterSeconds     the {@code Retry-After} of a 429 or 503 (default 1)
 * @param tokenFile             a file holding the bearer token; optional
 * @param tokenEnv              an environment variable holding the bearer token; optional
 * @param tls                   HTTPS, optionally with client certificates
 */
public record HttpSourceConfig(String name, String host, Integer port, List<DriverRoute> drivers,
        Integer maxBodyBytes, Integer maxConnections, Integer maxConnectionsPerPeer, Integer requestTimeoutMs,
        Integer ackTimeoutMs, Integer retryAfterSeconds, String tokenFile, String tokenEnv,
        TlsConfig tls) implements SourceConfig {

    public HttpSourceConfig {
        if (tls != null) {
            tls.checkServer();
        }
        Require.identifier("name", name);
        host = host == null ? "0.0.0.0" : Require.nonBlank("host", host);
        Require.present("port", port);
        port = Require.port("port", port, 0, true);
        Require.present("drivers", drivers);
        if (drivers.isEmpty()) {
            throw new IllegalArgumentException("drivers must list at least one driver");
        }
        drivers = List.copyOf(drivers);
        maxBodyBytes = (int) Require.range("max_body_bytes", maxBodyBytes, 1024 * 1024, 64, 64 * 1024 * 1024);
        maxConnections = (int) Require.range("max_connections", maxConnections, 256, 1, 65_535);
        maxConnectionsPerPeer = (int) Require.range("max_connections_per_peer", maxConnectionsPerPeer,
                Math.min(16, maxConnections), 1, maxConnections);
        requestTimeoutMs = (int) Require.range("request_timeout_ms", requestTimeoutMs, 10_000, 100, 600_000);
        ackTimeoutMs = (int) Require.range("ack_timeout_ms", ackTimeoutMs, 30_000, 100, 600_000);
        retryAfterSeconds = (int) Require.range("retry_after_seconds", retryAfterSeconds, 1, 1, 3_600);
        if (tokenFile != null && tokenEnv != null) {
            throw new IllegalArgumentException("token_file and token_env are exclusive; give one");
        }
    }

    @Override
    public List<DriverUse> driverUses() {
        List<DriverUse> uses = new ArrayList<>();
        for (int i = 0; i < drivers.size(); i++) {
            uses.add(new DriverUse("drivers[" + i + "]", drivers.get(i).driver(), drivers.get(i).options()));
        }
        return uses;
    }

    /**
     * One driver served at {@code /ingest/<driver>}.
     *
     * @param driver  driver name
     * @param options driver options, optional
     */
    public record DriverRoute(String driver, Map<String, String> options) {
        public DriverRoute {
            Require.nonBlank("driver", driver);
            options = options == null ? Map.of() : Map.copyOf(options);
        }
    }
}
