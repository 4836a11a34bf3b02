package org.limes.gateway.http;

import org.limes.gateway.config.Require;

/**
 * {@code admin:} — the admin HTTP port: health and metrics.
 *
 * @param host bind address (default 127.0.0.1: loopback only)
 * @param port port (default 8080; 0 = any free port)
 */
public record AdminConfig(String host, Integer port) {

    public AdminConfig {
        host = host == null ? "127.0.0.1" : host;
        port = Require.port("port", port, 8080, true);
    }

    public static AdminConfig defaults() {
        return new AdminConfig(null, null);
    }
}
