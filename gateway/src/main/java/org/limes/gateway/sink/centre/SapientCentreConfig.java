package org.limes.gateway.sink.centre;

import java.util.Set;
import org.limes.gateway.config.Require;
import org.limes.gateway.pipeline.Routing;
import org.limes.gateway.privacy.PseudonymiseConfig;
import org.limes.gateway.sink.centre.format.CapFormatConfig;
import org.limes.gateway.sink.centre.format.CotFormatConfig;
import org.limes.gateway.tls.TlsConfig;

/**
 * A {@code type: sapient} centre: a higher SAPIENT fusion node that receives this gateway's
 * alerts as BSI Flex 335 v2.0 {@code Alert} messages over TCP (or TLS), each acknowledged by
 * its {@code AlertAck}.
 *
 * @param name               centre name
 * @param type               {@code sapient}
 * @param format             {@code sapient}, the only format a SAPIENT stream carries
 * @param host               the fusion node
 * @param port               its SAPIENT port
 * @param tls                CA, client certificate and key; absent: plain TCP
 * @param connectTimeoutMs   connect timeout (default 10000)
 * @param ackTimeoutMs       how long an alert (or the registration) waits for its acknowledgement
 *                           before the connection is replaced and it is sent again (default 10000)
 * @param routing            what this centre receives (default: every alert)
 * @param pseudonymisePlates {@code key_file} / {@code key_env}: keyed hashes of plates; absent: plain plates
 */
public record SapientCentreConfig(String name, String type, String format, String host, Integer port, TlsConfig tls,
        Integer connectTimeoutMs, Integer ackTimeoutMs, Routing routing, PseudonymiseConfig pseudonymisePlates)
        implements CentreConfig {

    public SapientCentreConfig {
        if (tls != null) {
            tls.checkClient();
        }
        routing = routing == null ? Routing.ALL : routing;
        type = "sapient";
        format = CentreConfig.checkCommon(name, format, "sapient", Set.of("sapient"), null, null);
        Require.nonBlank("host", host);
        port = Require.port("port", Require.present("port", port), 0, false);
        connectTimeoutMs = (int) Require.range("connect_timeout_ms", connectTimeoutMs, 10_000, 100, 600_000);
        ackTimeoutMs = (int) Require.range("ack_timeout_ms", ackTimeoutMs, 10_000, 100, 600_000);
    }

    @Override
    public CapFormatConfig cap() {
        return null;
    }

    @Override
    public CotFormatConfig cot() {
        return null;
    }
}
