package org.limes.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.Outbox;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxLimits;
import org.limes.gateway.outbox.OutboxMetrics;
import org.limes.gateway.outbox.OutboxRecord;

/**
 * Health, readiness and destinations over real outboxes: a destination whose oldest record is
 * older than {@code ready_max_age_s} makes the gateway not ready and is named; health stays up.
 */
class GatewayStatusTest {

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Map<String, DestinationQueue> outboxes = new LinkedHashMap<>();
    private OutboxCommitter committer;

    @BeforeEach
    void open() throws Exception {
        committer = new OutboxCommitter(2);
        for (String d : List.of("store", "tripoli")) {
            Outbox alerts = Outbox.open(d + "/alerts", dir.resolve(d).resolve("alerts"), OutboxLimits.defaults(),
                    new OutboxMetrics(registry, d, "alert"));
            Outbox readings = Outbox.open(d + "/readings", dir.resolve(d).resolve("readings"),
                    OutboxLimits.defaults(), new OutboxMetrics(registry, d, "reading"));
            committer.register(alerts);
            committer.register(readings);
            outboxes.put(d, new DestinationQueue(d, alerts, readings, 0));
        }
        committer.start();
    }

    @AfterEach
    void close() {
        committer.close();
    }

    private GatewayStatus statusAt(Instant now) {
        return new GatewayStatus(List.of(), outboxes, committer, 60, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void emptyQueuesAreReadyAndUp() {
        GatewayStatus status = statusAt(Instant.now());

        assertThat(status.sourcesReady()).isTrue();
        assertThat(status.ready().up()).isTrue();
        assertThat(status.ready().details()).containsEntry("store_oldest_unacked_ms", 0L)
                .containsEntry("tripoli_oldest_unacked_ms", 0L).doesNotContainKey("reason");
        Health health = status.health();
        assertThat(health.up()).isTrue();
        assertThat(health.degraded()).isFalse();
        assertThat(health.details()).containsEntry("outbox_depth", Map.of("store", 0L, "tripoli", 0L));
    }

    @Test
    void aDestinationLaggingPastTheLimitIsNotReadyAndNamed() throws Exception {
        outboxes.get("tripoli").append(OutboxRecord.READING, "x".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(10)).until(() -> outboxes.get("tripoli").depth() == 1);

        GatewayStatus status = statusAt(Instant.now().plusSeconds(120));
        Health ready = status.ready();

        assertThat(ready.up()).isFalse();
        assertThat(ready.details()).containsEntry("lagging", List.of("tripoli"))
                .containsEntry("reason", "oldest undelivered record older than 60 s at tripoli");
        assertThat((Long) ready.details().get("tripoli_oldest_unacked_ms")).isGreaterThan(60_000L);
        assertThat(status.health().up()).as("a lagging centre does not make the gateway down").isTrue();

        List<AdminApi.DestinationStatus> destinations = status.destinations();
        assertThat(destinations).extracting(AdminApi.DestinationStatus::name).containsExactly("store", "tripoli");
        AdminApi.DestinationStatus tripoli = destinations.get(1);
        assertThat(tripoli.depth()).isEqualTo(1);
        assertThat(tripoli.alertDepth()).isZero();
        assertThat(tripoli.lastAck()).as("nothing acknowledged since start").isNull();
        assertThat(tripoli.deadLettered()).isZero();
    }
}
