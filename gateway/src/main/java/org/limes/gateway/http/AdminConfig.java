package org.limes.gateway.http;

import org.limes.gateway.config.Require;

/**
 * {@code admin:} — the admin HTTP port: health, readiness, metrics, the admin API and the
 * status page.
 *
 * @param host      bind address (default 127.0.0.1: loopback only)
 * @param port      port (default 8080; 0 = any free port)
 * @param tokenFile a file holding the bearer token the API, {@code /metrics} and rule reload
 *                  require; optional
 * @param tokenEnv  an environment variable holding it instead; optional, exclusive with
 *                  {@code token_file}
 */
public record AdminConfig(String host, Integer port, String tokenFile, String tokenEnv) {

    public AdminConfig {
        host = host == null ? "127.0.0.1" : Require.nonBlank("host", host);
        port = Require.port("port", port, 8080, true);
        if (tokenFile != null && tokenEnv != null) {
            throw new IllegalArgumentException("token_file and token_env are exclusive; give one");
        }
        if (tokenFile != null) {
            Require.nonBlank("token_file", tokenFile);
        }
        if (tokenEnv != null) {
            Require.nonBlank("token_env", tokenEnv);
        }
    }

    public static AdminConfig defaults() {
        return new AdminConfig(null, null, null, null);
    }

    /** Whether a bearer token is configured. */
    public boolean authenticated() {
        return tokenFile != null || tokenEnv != null;
    }
}
