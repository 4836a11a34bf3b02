package org.limes.simulator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingCentreTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private static String alert(String device, long startMs, String state, String gateway) {
        String id = "ras-ajdir/queue-surge/" + device + "/" + startMs;
        return "{\"event_id\":\"" + id + ":" + state + "\",\"alert_id\":\"" + id + "\",\"state\":\"" + state
                + "\",\"device\":\"" + device + "\",\"gateway\":\"" + gateway + "\"}";
    }

    private int post(RecordingCentre c, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(c.url())).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void keepsTheFirstArrivalOfEachEventAndCountsCopies() throws Exception {
        try (RecordingCentre c = RecordingCentre.start("tripoli")) {
            assertThat(post(c, alert("cnt-001", 1000, "raised", "limes-a"))).isEqualTo(200);
            assertThat(post(c, alert("cnt-001", 1000, "raised", "limes-b"))).isEqualTo(200);
            assertThat(post(c, alert("cnt-001", 1000, "cleared", "limes-b"))).isEqualTo(200);
            assertThat(post(c, "not json")).isEqualTo(400);
            assertThat(post(c, "{\"state\":\"raised\"}")).isEqualTo(400);

            assertThat(c.posts()).isEqualTo(5);
            assertThat(c.unreadable()).isEqualTo(2);
            assertThat(c.arrivals()).extracting(RecordingCentre.Arrival::eventId).containsExactly(
                    "ras-ajdir/queue-surge/cnt-001/1000:raised", "ras-ajdir/queue-surge/cnt-001/1000:cleared");
            assertThat(c.arrivals().get(0).gateway()).as("the first copy's").isEqualTo("limes-a");
            assertThat(c.has("ras-ajdir/queue-surge/cnt-001/1000:cleared")).isTrue();
            assertThat(c.orderViolations()).isZero();
        }
    }

    @Test
    void aTransitionOutOfItsDevicesOrderIsAViolation() {
        List<RecordingCentre.Arrival> inOrder = List.of(arrival("d1", 1000, "raised"), arrival("d2", 500, "raised"),
                arrival("d1", 1000, "cleared"), arrival("d1", 4000, "raised"), arrival("d2", 500, "cleared"));
        assertThat(RecordingCentre.orderViolations(inOrder)).isZero();

        assertThat(RecordingCentre.orderViolations(List.of(arrival("d1", 1000, "cleared"))))
                .as("a clear before its raise").isEqualTo(1);
        assertThat(RecordingCentre.orderViolations(List.of(arrival("d1", 1000, "raised"),
                arrival("d1", 4000, "raised")))).as("two raises without a clear").isEqualTo(1);
        assertThat(RecordingCentre.orderViolations(List.of(arrival("d1", 4000, "raised"),
                arrival("d1", 4000, "cleared"), arrival("d1", 1000, "raised")))).as("an older alert after a newer")
                .isEqualTo(1);
    }

    @Test
    void eachArrivalKnowsItsLatencyFromTheAlertsOwnTime() throws Exception {
        try (RecordingCentre c = RecordingCentre.start("benghazi")) {
            String at = java.time.Instant.now().minusMillis(1_500).toString();
            String timed = alert("cnt-002", 1000, "raised", "limes-a").replace("}", ",\"at\":\"" + at + "\"}");
            assertThat(post(c, timed)).isEqualTo(200);
            assertThat(post(c, alert("cnt-003", 1000, "raised", "limes-a"))).isEqualTo(200);

            assertThat(c.arrivals().get(0).latencyMs()).as("arrived 1.5 s after its at, and not much later")
                    .isBetween(1_500L, 60_000L);
            assertThat(c.arrivals().get(1).latencyMs()).as("no at: unknown").isEqualTo(-1);
        }
    }

    @Test
    void theStartOfAnAlertIsTheLastPartOfItsId() {
        assertThat(RecordingCentre.startMs("ras-ajdir/queue-surge/cnt-001/1764136800000")).isEqualTo(1764136800000L);
        assertThat(RecordingCentre.startMs("no-number")).isEqualTo(-1);
    }

    private static RecordingCentre.Arrival arrival(String device, long startMs, String state) {
        String id = "x/r/" + device + "/" + startMs;
        return new RecordingCentre.Arrival(id + ":" + state, id, device, state, "limes-a", 0, -1);
    }
}
