package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.embedded.QuestDbClient;
import org.limes.gateway.source.PipelineFixture;

/**
 * One TCP, one UDP and one HTTP listener on a whole gateway with the embedded store:
 * counter frames sent over each, with a malformed one in each stream, end up in QuestDB
 * with the counts matching, and the malformed ones are counted.
 */
class NettySourcesEndToEndIT {

    @TempDir
    Path data;

    private Gateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void framesOverTcpUdpAndHttpAreStoredWithCountsMatching() throws Exception {
        Drivers drivers = Drivers.load();
        GatewayConfig config = new ConfigLoader(drivers).parse("netty-e2e.yml", """
                name: netty-e2e
                data_dir: %s
                mqtt: {broker: embedded, port: 0}
                store: {kind: embedded, http_port: 0}
                admin: {host: 127.0.0.1, port: 0}
                sources:
                  - {type: tcp, name: counters-tcp, host: 127.0.0.1, port: 0, driver: counter-json}
                  - {type: udp, name: counters-udp, host: 127.0.0.1, port: 0, driver: counter-json}
                  - {type: http, name: ingest, host: 127.0.0.1, port: 0, drivers: [{driver: counter-json}]}
                inventory:
                  devices:
                    - {id: cnt-01, site: ras-ajdir, class: counter, lane: "1"}
                    - {id: cnt-02, site: ras-ajdir, class: counter, lane: "2"}
                    - {id: cnt-03, site: ras-ajdir, class: counter, lane: "3"}
                outbox: {max_bytes: 67108864, segment_bytes: 1048576, sync_interval_ms: 5}
                """.formatted(data.toString().replace("\\", "/")));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        gateway = Gateway.start(config, drivers, registry, Clock.systemUTC());

        int tcp = 300;
        try (Socket s = new Socket("127.0.0.1", gateway.listenerPort("counters-tcp"))) {
            OutputStream out = s.getOutputStream();
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < tcp; i++) {
                sb.append(PipelineFixture.counterJson("cnt-01", i)).append('\n');
                if (i == tcp / 2) {
                    sb.append("{\"device\":\"cnt-01\",broken\n");
                }
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            await().atMost(Duration.ofSeconds(20)).until(() -> frames(registry, "counters-tcp") == tcp + 1);
        }

        int udp = 200;
        try (DatagramSocket s = new DatagramSocket()) {
            for (int i = 0; i <= udp; i++) {
                byte[] b = (i == udp / 2 ? "not json" : PipelineFixture.counterJson("cnt-02", 1_000 + i))
                        .getBytes(StandardCharsets.UTF_8);
                s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(),
                        gateway.listenerPort("counters-udp")));
            }
        }

        int http = 250;
        HttpClient client = HttpClient.newHttpClient();
        for (int batch = 0; batch < 5; batch++) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                body.append(PipelineFixture.counterJson("cnt-03", 2_000 + batch * 50 + i)).append('\n');
            }
            if (batch == 2) {
                body.append("{\"device\":\"cnt-03\"}\n");
            }
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + gateway.listenerPort("ingest") + "/ingest/counter-json"))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(batch == 2 ? 400 : 200);
        }

        QuestDbClient store = new QuestDbClient(gateway.storeUrl());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(store.count("vehicle_count")).isEqualTo(tcp + udp + http);
        });
        assertThat(frames(registry, "counters-tcp")).isEqualTo(tcp + 1);
        assertThat(frames(registry, "counters-udp")).isEqualTo(udp + 1);
        assertThat(frames(registry, "ingest")).isEqualTo(http + 1);
        assertThat(registry.get("limes.errors").tag("component", "driver-counter-json").counters().stream()
                .mapToDouble(Counter::count).sum()).isEqualTo(3.0);
        assertThat(registry.get("limes.readings.decoded").tag("driver", "counter-json").counter().count())
                .isEqualTo(tcp + udp + http);
    }

    private static double frames(PrometheusMeterRegistry registry, String source) {
        Counter c = registry.find("limes.frames.received").tag("source", source).counter();
        return c == null ? 0 : c.count();
    }
}
