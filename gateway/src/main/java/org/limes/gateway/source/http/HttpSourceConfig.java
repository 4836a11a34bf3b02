package org.limes.gateway.source.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import org.limes.gateway.config.CheckContext;
import org.limes.gateway.config.Require;
import org.limes.gateway.config.Secrets;
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
 * @param tokenFile             a file holding the bearer token (hashed when read); optional
 * @param tokenEnv              an environment variable holding the bearer token (hashed when read); optional
 * @param tokenSha256           the SHA-256 of the bearer token, 64 hex digits; optional. Only one of the
 *                              three; with none, requests need no token (put a listener without one on
 *                              a network only devices reach, or use mutual TLS)
 * @param tls                   HTTPS, optionally with client certificates
 */
public record HttpSourceConfig(String name, String host, Integer port, List<DriverRoute> drivers,
        Integer maxBodyBytes, Integer maxConnections, Integer maxConnectionsPerPeer, Integer requestTimeoutMs,
        Integer ackTimeoutMs, Integer retryAfterSeconds, String tokenFile, String tokenEnv, String tokenSha256,
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
        if ((tokenFile != null ? 1 : 0) + (tokenEnv != null ? 1 : 0) + (tokenSha256 != null ? 1 : 0) > 1) {
            throw new IllegalArgumentException("token_file, token_env and token_sha256 are exclusive; give one");
        }
        if (tokenSha256 != null && !tokenSha256.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("token_sha256 must be 64 hex digits (the SHA-256 of the token, e.g. "
                    + "from `printf %s TOKEN | sha256sum`)");
        }
    }

    /**
     * The SHA-256 of the bearer token, or null when none is required. A token from a file
     * or the environment is hashed as it is read and not kept.
     *
     * @throws IllegalArgumentException naming the file or variable when it cannot be read
     */
    public byte[] tokenHash() {
        if (tokenSha256 != null) {
            return HexFormat.of().parseHex(tokenSha256.toLowerCase(Locale.ROOT));
        }
        if (tokenFile == null && tokenEnv == null) {
            return null;
        }
        return sha256(Secrets.read(tokenFile, tokenEnv));
    }

    /** SHA-256 of a token's UTF-8 bytes. */
    public static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Every driver exists and takes its options; mutual TLS only with inventory devices. */
    @Override
    public void check(CheckContext ctx) {
        checkDrivers(ctx);
        if (tls != null) {
            tls.checkInventory(ctx.at("tls"));
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
