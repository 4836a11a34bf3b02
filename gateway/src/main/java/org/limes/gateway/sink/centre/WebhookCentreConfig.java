package org.limes.gateway.sink.centre;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.limes.gateway.config.Require;
import org.limes.gateway.pipeline.Routing;
import org.limes.gateway.privacy.PseudonymiseConfig;
import org.limes.gateway.sink.centre.format.CapFormatConfig;
import org.limes.gateway.sink.centre.format.CotFormatConfig;
import org.limes.gateway.tls.TlsConfig;

/**
 * A {@code type: webhook} centre: one HTTPS POST per alert, in outbox order.
 *
 * @param name              centre name
 * @param type              {@code webhook}
 * @param format            {@code json} (default), {@code cap} or {@code cot}
 * @param url               where alerts are POSTed; {@code https://} unless {@code allow_insecure_http}
 * @param headers           extra request headers (never Authorization: use a token source)
 * @param tokenFile         file holding a bearer token
 * @param tokenEnv          environment variable holding a bearer token
 * @param timeoutMs         connect and response timeout (default 10000)
 * @param tls               trust ({@code ca_file}) and client certificate; default trust: the JVM's roots
 * @param allowInsecureHttp allow an {@code http://} url, for tests and a relay on the same host only
 * @param retryInitialMs    first retry delay (default 250)
 * @param retryMaxMs        longest retry delay; retries never give up (default 30000)
 * @param cap               CAP settings, with {@code format: cap}
 * @param cot               Cursor on Target settings, with {@code format: cot}
 * @param routing what this centre receives (default: every alert)
 * @param pseudonymisePlates {@code key_file} / {@code key_env}: this centre gets keyed hashes of plates; absent: plain plates
 */
public record WebhookCentreConfig(String name, String type, String format, String url, Map<String, String> headers,
        String tokenFile, String tokenEnv, Integer timeoutMs, TlsConfig tls, Boolean allowInsecureHttp,
        Integer retryInitialMs, Integer retryMaxMs, CapFormatConfig cap, CotFormatConfig cot, Routing routing,
        PseudonymiseConfig pseudonymisePlates) implements CentreConfig {

    /** Headers the HTTP client sets itself or that would carry a secret inline. */
    static final Set<String> FORBIDDEN_HEADERS = Set.of("authorization", "connection", "content-length", "expect",
            "host", "upgrade", "content-type");

    public WebhookCentreConfig {
        if (tls != null) {
            tls.checkClient();
        }
        routing = routing == null ? Routing.ALL : routing;
        type = "webhook";
        format = CentreConfig.checkCommon(name, format, "json", FORMATS, cap, cot);
        Require.nonBlank("url", url);
        allowInsecureHttp = allowInsecureHttp != null && allowInsecureHttp;
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url must be a URL like https://host/path, got '" + url + "'", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException("url must be a URL like https://host/path, got '" + url + "'");
        }
        if (scheme.equals("http") && !allowInsecureHttp) {
            throw new IllegalArgumentException("url must be https:// (alerts cross networks; set "
                    + "allow_insecure_http: true only for tests or a relay on this host), got '" + url + "'");
        }
        if (scheme.equals("http") && tls != null) {
            throw new IllegalArgumentException("tls applies only to an https:// url");
        }
        Map<String, String> h = new TreeMap<>();
        if (headers != null) {
            for (Map.Entry<String, String> e : headers.entrySet()) {
                String key = e.getKey();
                if (!key.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                    throw new IllegalArgumentException("headers." + key + " is not a valid header name");
                }
                if (FORBIDDEN_HEADERS.contains(key.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("headers." + key + " cannot be set here ("
                            + (key.equalsIgnoreCase("authorization") ? "secrets never go inline: use token_file or "
                            + "token_env" : "the gateway sets it") + ")");
                }
                if (e.getValue() == null || e.getValue().chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                    throw new IllegalArgumentException("headers." + key + " must be a value without control "
                            + "characters");
                }
                h.put(key, e.getValue());
            }
        }
        headers = java.util.Collections.unmodifiableMap(h);
        if (tokenFile != null && tokenEnv != null) {
            throw new IllegalArgumentException("token_file and token_env are exclusive: give one");
        }
        timeoutMs = (int) Require.range("timeout_ms", timeoutMs, 10_000, 100, 600_000);
        retryInitialMs = (int) Require.range("retry_initial_ms", retryInitialMs, 250, 1, 600_000);
        retryMaxMs = (int) Require.range("retry_max_ms", retryMaxMs, 30_000, retryInitialMs, 3_600_000);
        cap = "cap".equals(format) && cap == null ? CapFormatConfig.defaults() : cap;
        cot = "cot".equals(format) && cot == null ? CotFormatConfig.defaults() : cot;
    }
}
