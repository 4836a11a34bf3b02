package org.limes.gateway.sink.centre;

import java.util.Set;
import org.limes.gateway.config.Require;
import org.limes.gateway.pipeline.Routing;
import org.limes.gateway.privacy.PseudonymiseConfig;
import org.limes.gateway.sink.centre.format.CapFormatConfig;
import org.limes.gateway.sink.centre.format.CotFormatConfig;
import org.limes.gateway.tls.TlsConfig;

/**
 * A {@code type: cot} centre: Cursor on Target events streamed over TCP (or TLS) to a
 * TAK-style server.
 *
 * @param name             centre name
 * @param type             {@code cot}
 * @param format           {@code cot}, the only format a CoT stream carries
 * @param host             the server
 * @param port             its streaming input port (TAK: 8087 TCP, 8089 TLS)
 * @param tls              CA, client certificate and key; absent: plain TCP
 * @param connectTimeoutMs connect timeout (default 10000)
 * @param cot              Cursor on Target settings
 * @param routing what this centre receives (default: every alert)
 * @param pseudonymisePlates {@code key_file} / {@code key_env}: this centre gets keyed hashes of plates; absent: plain plates
 */
public record CotCentreConfig(String name, String type, String format, String host, Integer port, TlsConfig tls,
        Integer connectTimeoutMs, CotFormatConfig cot, Routing routing, PseudonymiseConfig pseudonymisePlates)
        implements CentreConfig {

    public CotCentreConfig {
        if (tls != null) {
            tls.checkClient();
        }
        routing = routing == null ? Routing.ALL : routing;
        type = "cot";
        format = CentreConfig.checkCommon(name, format, "cot", Set.of("cot"), null, null);
        Require.nonBlank("host", host);
        port = Require.port("port", Require.present("port", port), 0, false);
        connectTimeoutMs = (int) Require.range("connect_timeout_ms", connectTimeoutMs, 10_000, 100, 600_000);
        cot = cot == null ? CotFormatConfig.defaults() : cot;
    }

    @Override
    public CapFormatConfig cap() {
        return null;
    }
}
