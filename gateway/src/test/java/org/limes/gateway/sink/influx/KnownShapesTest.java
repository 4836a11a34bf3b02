package org.limes.gateway.sink.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.limes.gateway.outbox.OutboxRecord;

class KnownShapesTest {

    private final List<String> ensured = new ArrayList<>();
    private final StoreSchema recording = (m, tags) -> ensured.add(m + tags);

    private static byte[] line(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void asksTheSchemaOncePerShapeWhateverTheTagValues() throws IOException {
        KnownShapes shapes = new KnownShapes(recording, 16);
        for (int d = 0; d < 1000; d++) {
            shapes.prepare(line("vehicle_count,device=cnt-" + d + ",site=s\\,1 count=1i " + d + "\n"));
        }
        shapes.prepare(line("vehicle_count,device=x count=1i 1"));
        shapes.prepare(line("speed count=1i 1"));

        assertThat(ensured).containsExactly("vehicle_count[device, site]", "vehicle_count[device]", "speed[]");
        assertThat(shapes.size()).isEqualTo(3);
    }

    @Test
    void escapedSeparatorsMakeDifferentShapes() throws IOException {
        KnownShapes shapes = new KnownShapes(recording, 16);
        shapes.prepare(line("m,a\\,b=1 f=1i 1"));
        shapes.prepare(line("m,a=1,b=2 f=1i 1"));
        shapes.prepare(line("m\\,a,b=1 f=1i 1"));

        assertThat(ensured).containsExactly("m[a,b]", "m[a, b]", "m,a[b]");
    }

    @Test
    void aShapeTheSchemaRefusesIsNotRememberedAndAsksAgain() {
        StoreSchema refusing = (m, tags) -> {
            ensured.add(m);
            throw new IllegalArgumentException("measurement '" + m + "': not a name the store can hold");
        };
        KnownShapes shapes = new KnownShapes(refusing, 16);

        assertThatThrownBy(() -> shapes.prepare(line("bad f=1i 1"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> shapes.prepare(line("bad f=1i 2"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(ensured).containsExactly("bad", "bad");
        assertThat(shapes.size()).isZero();
    }

    @Test
    void whenFullForgetsEverythingCountsItAndStaysBounded() throws IOException {
        KnownShapes shapes = new KnownShapes(recording, 4);
        for (int m = 0; m < 10; m++) {
            shapes.prepare(line("m" + m + ",t=1 f=1i 1"));
        }
        assertThat(shapes.resets()).isEqualTo(2);
        assertThat(shapes.size()).isEqualTo(2);
        shapes.prepare(line("m9,t=2 f=1i 2"));
        shapes.prepare(line("m0,t=2 f=1i 2"));
        assertThat(ensured).hasSize(11).endsWith("m0[t]");
    }

    @Test
    void oneBodyPerBatchWithOneNewlineBetweenRecords() {
        List<OutboxRecord> records = List.of(
                new OutboxRecord(0, OutboxRecord.READING, 0, line("a f=1i 1\n")),
                new OutboxRecord(1, OutboxRecord.READING, 0, line("b,t=é f=2i 2")),
                new OutboxRecord(2, OutboxRecord.READING, 0, line("c f=3i 3")));

        assertThat(InfluxSink.body(records)).isEqualTo("a f=1i 1\nb,t=é f=2i 2\nc f=3i 3\n");
    }
}
