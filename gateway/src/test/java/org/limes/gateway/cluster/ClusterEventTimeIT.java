package org.limes.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Frame;
import org.limes.gateway.Gateway;
import org.limes.gateway.config.GatewayConfig;

/**
 * Cluster mode judges a frame at the time the ingesting instance received it, not at the moment
 * the rules' owner processes it: the case of a takeover, where the new owner of a partition works
 * through seconds of frames at once (found by {@code cluster-bench}: a killed owner's devices,
 * seconds behind, never raised their second wave — the backlog's surge counted as one moment, the
 * hold started again at the takeover, and the surge's end cancelled it).
 *
 * <p>Here the backlog is made directly: frames received over 24 s, as an instance stamped them,
 * are appended to the frames topic of a running one-instance cluster in one burst (the producer
 * an ingesting instance uses, {@link KafkaFrames}), on a real three-broker Kafka in this JVM
 * ({@link ClusterKafka}). The rule: a threshold with a 5 s hold.
 */
class ClusterEventTimeIT {

    @RegisterExtension
    static final ClusterKafkaExtension kafka = new ClusterKafkaExtension();

    @TempDir
    Path dir;

    @Test
    void aBacklogIsJudgedAtTheTimesItsFramesWereReceived() throws Exception {
        RecordingCentre centre = kafka.closeAfterEach(RecordingCentre.start());
        String yaml = """
                name: et-gw-1
                data_dir: %s
                mqtt: {broker: embedded, port: 0}
                store: {kind: embedded, http_port: 0}
                admin: {host: 127.0.0.1, port: 0}
                sources:
                  - {type: http, name: ingest, host: 127.0.0.1, port: 0, drivers: [{driver: counter-json}]}
                inventory:
                  devices:
                    - {id: cnt-01, site: ras-ajdir, class: counter, lane: "1"}
                    - {id: cnt-02, site: ras-ajdir, class: counter, lane: "2"}
                rules:
                  - {id: queue, type: threshold, kind: vehicle_count, field: count_total, raise_above: 40,
                     clear_below: 20, for: 5s, clear_for: 0s}
                centres:
                  - {name: tripoli, type: webhook, url: "%s", allow_insecure_http: true,
                     retry_initial_ms: 50, retry_max_ms: 500}
                outbox: {max_bytes: 67108864, segment_bytes: 1048576, sync_interval_ms: 5}
                %s""".formatted(dir.resolve("gw").toString().replace("\\", "/"), centre.url(),
                kafka.clusterSection("backlog", 2, "produce_timeout_ms: 10000"));
        Gateway gateway = kafka.startGateway(dir.resolve("gw.yml"), yaml, Clock.systemUTC());
        GatewayConfig config = gateway.config();

        // cnt-01 over the level for 12 s from t0 (a reading every 2 s), then back: its hold of 5 s
        // ran out at the reading of t0 + 6 s. cnt-02 over it for 3 s only: shorter than the hold.
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(30);
        try (KafkaFrames ingest = KafkaFrames.start(config.cluster(), "et-gw-0", ConfigDigest.of(config.sources()),
                new SimpleMeterRegistry())) {
            for (int s = 0; s <= 12; s += 2) {
                append(ingest, "cnt-01", t0.plusSeconds(s), s < 12 ? 50 : 5);
            }
            append(ingest, "cnt-02", t0, 50);
            append(ingest, "cnt-02", t0.plusSeconds(3), 50);
            append(ingest, "cnt-02", t0.plusSeconds(4), 5);
        }

        await("the raise and the clear of cnt-01 at the centre").atMost(Duration.ofSeconds(120))
                .until(() -> centre.alerts().size() >= 2);
        List<JsonNode> received = centre.alerts();
        assertThat(received).extracting(a -> a.path("state").asText()).containsExactly("raised", "cleared");
        String id = "backlog/queue/cnt-01/" + t0.toEpochMilli();
        JsonNode raised = received.get(0);
        assertThat(raised.path("alert_id").asText()).isEqualTo(id);
        assertThat(Instant.parse(raised.path("first_seen").asText())).isEqualTo(t0);
        assertThat(Instant.parse(raised.path("raised_at").asText()))
                .as("at the reading that ended the hold, as received, not when it was processed")
                .isEqualTo(t0.plusSeconds(6));
        JsonNode cleared = received.get(1);
        assertThat(cleared.path("alert_id").asText()).isEqualTo(id);
        assertThat(Instant.parse(cleared.path("at").asText())).isEqualTo(t0.plusSeconds(12));
        await("every reading through the rules").atMost(Duration.ofSeconds(30))
                .until(() -> gateway.registry().get("limes.cluster.readings.out").counter().count() == 10.0);
        assertThat(centre.alerts()).as("cnt-02 never held over the level for the hold").hasSize(2);
    }

    private static void append(KafkaFrames ingest, String device, Instant at, int cars) throws Exception {
        String body = "{\"device\":\"" + device + "\",\"time\":\"" + at + "\",\"lane\":\"1\",\"direction\":\"inbound\","
                + "\"interval_s\":60,\"counts\":{\"car\":" + cars + ",\"truck\":0}}";
        ingest.append(new Frame(body.getBytes(StandardCharsets.UTF_8), "ingest", "/ingest/counter-json", at),
                "counter-json", Set.of(device), true).get(30, TimeUnit.SECONDS);
    }
}
