package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.embedded.QuestDbClient;

/**
 * Items 13-15 of issue 13 end to end, on a whole gateway with the embedded QuestDB: a
 * line-protocol device (a PLC bridge allowed to write vehicle counts) first poisons
 * {@code occupancy_pct} with a string, then tries to overwrite counter cnt-01's row with an
 * upper-case {@code Device} tag, and sends names the store cannot hold. None of it reaches
 * the store, the store does not stall, cnt-01's row keeps its count, and later counters'
 * numeric occupancy is stored.
 */
class StoreNamesIT {

    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00Z");

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
    void aDeviceCanNeitherPoisonNorOverwriteNorStallTheStore() throws Exception {
        Drivers drivers = Drivers.load();
        GatewayConfig config = new ConfigLoader(drivers).parse("store-names.yml", """
                name: store-names
                data_dir: %s
                mqtt: {broker: embedded, port: 0}
                store: {kind: embedded, http_port: 0}
                admin: {host: 127.0.0.1, port: 0}
                sources:
                  - {type: tcp, name: counters, host: 127.0.0.1, port: 0, driver: counter-json}
                  - {type: tcp, name: plc, host: 127.0.0.1, port: 0, driver: lineprotocol,
                     options: {allow_kinds: vehicle_count}}
                inventory:
                  devices:
                    - {id: cnt-01, site: ras-ajdir, class: counter, lane: "1"}
                    - {id: cnt-02, site: ras-ajdir, class: counter, lane: "2"}
                    - {id: lp-1, site: ras-ajdir, class: plc}
                outbox: {max_bytes: 67108864, segment_bytes: 1048576, sync_interval_ms: 5}
                """.formatted(data.toString().replace("\\", "/")));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        gateway = Gateway.start(config, drivers, registry, Clock.systemUTC());
        QuestDbClient store = new QuestDbClient(gateway.storeUrl());
        long t0 = T0.getEpochSecond() * 1_000_000_000L;

        try (Socket plc = new Socket("127.0.0.1", gateway.listenerPort("plc"));
                Socket counters = new Socket("127.0.0.1", gateway.listenerPort("counters"))) {
            send(plc, "vehicle_count,device=lp-1 occupancy_pct=\"poison\" " + (t0 - 60_000_000_000L) + "\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> dropped(registry, "field_type") == 1);

            send(counters, counter("cnt-01", T0, 30, 12.5));
            await().atMost(Duration.ofSeconds(60)).until(() -> rows(store, "device = 'cnt-01'") == 1);

            send(plc, "vehicle_count,device=lp-1,Device=cnt-01,Device_class=counter,Lane=1 count_car=999i,"
                    + "count_total=999i " + t0 + "\n"
                    + "plc-x,device=lp-1 v=1\n"
                    + "plc,device=lp-1,zo-ne=a v=1\n"
                    // The marker: accepted, in the same table and from the same device, after the others.
                    + "vehicle_count,device=lp-1 count_car=1i " + t0 + "\n");
            send(counters, counter("cnt-02", T0.plusSeconds(60), 7, 20.0));

            await().atMost(Duration.ofSeconds(60)).until(() -> rows(store, "device = 'lp-1'") == 1
                    && rows(store, "device = 'cnt-02'") == 1);
        }

        JsonNode cnt01 = store.exec("SELECT count_car, count_total, occupancy_pct, lane, device_class FROM "
                + "vehicle_count WHERE device = 'cnt-01'");
        assertThat(cnt01.path("count").asLong()).isEqualTo(1);
        assertThat(cnt01.path("dataset").path(0).path(0).asLong()).isEqualTo(30);
        assertThat(cnt01.path("dataset").path(0).path(1).asLong()).isEqualTo(30);
        assertThat(cnt01.path("dataset").path(0).path(2).asDouble()).isEqualTo(12.5);
        assertThat(cnt01.path("dataset").path(0).path(4).asText()).isEqualTo("counter");
        JsonNode cnt02 = store.exec("SELECT occupancy_pct FROM vehicle_count WHERE device = 'cnt-02'");
        assertThat(cnt02.path("dataset").path(0).path(0).asDouble()).isEqualTo(20.0);
        JsonNode lp = store.exec("SELECT count_car, device_class FROM vehicle_count WHERE device = 'lp-1'");
        assertThat(lp.path("dataset").path(0).path(0).asLong()).isEqualTo(1);
        assertThat(lp.path("dataset").path(0).path(1).asText()).isEqualTo("plc");
        assertThat(store.tableExists("plc")).isFalse();
        assertThat(registry.get("limes.errors").tag("component", "driver-lineprotocol").counters().stream()
                .mapToDouble(Counter::count).sum()).isEqualTo(3.0);
        assertThat(dropped(registry, "field_type")).isEqualTo(1.0);
        assertThat(registry.find("limes.dropped").tag("reason", "rejected_by_store").counters().stream()
                .mapToDouble(Counter::count).sum()).isZero();
    }

    private static String counter(String device, Instant t, int cars, double occupancyPct) {
        return "{\"device\":\"" + device + "\",\"time\":\"" + t + "\",\"lane\":\"" + device.substring(device.length() - 1)
                + "\",\"direction\":\"inbound\","
                + "\"interval_s\":60,\"occupancy_pct\":" + occupancyPct + ",\"counts\":{\"car\":" + cars + "}}\n";
    }

    private static void send(Socket s, String text) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static long rows(QuestDbClient store, String where) throws Exception {
        if (!store.tableExists("vehicle_count")) {
            return 0;
        }
        return store.exec("SELECT count() FROM vehicle_count WHERE " + where).path("dataset").path(0).path(0).asLong();
    }

    private static double dropped(PrometheusMeterRegistry registry, String reason) {
        return registry.find("limes.dropped").tag("reason", reason).counters().stream().mapToDouble(Counter::count)
                .sum();
    }
}
