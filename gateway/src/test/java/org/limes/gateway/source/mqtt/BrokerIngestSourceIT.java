package org.limes.gateway.source.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.limes.gateway.embedded.EmbeddedBroker;
import org.limes.gateway.source.PipelineFixture;
import org.limes.gateway.source.SourceMetrics;
import org.limes.gateway.testing.MqttTestSubscriber;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BrokerIngestSource} against a real embedded HiveMQ, real Paho device clients and a
 * real pipeline and outbox ({@link PipelineFixture}, whose group commit can be held).
 */
class BrokerIngestSourceIT {

    /** Routed on to subscribers (the default), a publish nobody subscribes to is answered 0x10. */
    private static final String SUCCESS = "success (0x00), or no matching subscribers (0x10)";


    private static final String FILTER = "crossing/+/counter/+";
    private static final int WINDOW = 50;

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private EmbeddedBroker broker;
    private PipelineFixture fixture;

    private BrokerIngestSource start(Boolean routeToSubscribers) throws Exception {
        broker = track(EmbeddedBroker.start(dir.resolve("broker"), "127.0.0.1", 0));
        fixture = track(new PipelineFixture(dir.resolve("pipeline"), 1000));
        MqttSourceConfig config = new MqttSourceConfig("devices", null, null, List.of(new MqttSourceConfig.TopicRoute(
                FILTER, "counter-json", null)), null, null, null, null, null, null, null, null, routeToSubscribers);
        BrokerIngestSource source = track(new BrokerIngestSource(config, broker, fixture.drivers, fixture.pipeline,
                new SourceMetrics(fixture.registry, "devices"), Clock.systemUTC()));
        source.start();
        return source;
    }

    private MqttAsyncClient device(String id) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(broker.uri(), id, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        c.connect(o).waitForCompletion(10_000);
        open.add(() -> {
            if (c.isConnected()) {
                c.disconnect().waitForCompletion(5_000);
            }
            c.close(true);
        });
        return c;
    }

    private static IMqttToken publish(MqttAsyncClient c, String topic, String payload) throws Exception {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        return c.publish(topic, m);
    }

    private static String topic(String device) {
        return "crossing/ras-ajdir/counter/" + device;
    }

    @Test
    void pubackOnlyOnceTheOutboxSynced() throws Exception {
        BrokerIngestSource source = start(null);
        MqttAsyncClient device = device("cnt-01");
        fixture.stall();
        List<IMqttToken> tokens = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            tokens.add(publish(device, topic("cnt-01"), PipelineFixture.counterJson("cnt-01", n)));
        }
        // The first reached the pipeline (HiveMQ offers a client's next publish once the one
        // before it is answered); it is not durable, so nothing is acknowledged.
        await().atMost(Duration.ofSeconds(10)).until(() -> source.pending() >= 1);
        assertThat(tokens).noneMatch(IMqttToken::isComplete);
        assertThat(fixture.stored()).isZero();

        fixture.release();
        for (IMqttToken t : tokens) {
            t.waitForCompletion(10_000);
            assertThat(IntStream.of(t.getReasonCodes()).boxed().toList()).as(SUCCESS).isNotEmpty().isSubsetOf(0, 0x10);
        }
        assertThat(fixture.stored()).isEqualTo(3);
        assertThat(source.pending()).isZero();
    }

    @Test
    void storedExactlyOnceInOrderPerDevice() throws Exception {
        start(null);
        int perDevice = 200;
        List<MqttAsyncClient> devices = List.of(device("cnt-01"), device("cnt-02"), device("cnt-03"));
        List<IMqttToken> tokens = new ArrayList<>();
        for (int n = 0; n < perDevice; n++) {
            if (n >= WINDOW) {
                // Stay within the broker's receive maximum (100 unacknowledged per client).
                for (int d = 0; d < devices.size(); d++) {
                    tokens.get((n - WINDOW) * devices.size() + d).waitForCompletion(20_000);
                }
            }
            for (int d = 0; d < devices.size(); d++) {
                String id = "cnt-0" + (d + 1);
                tokens.add(publish(devices.get(d), topic(id), PipelineFixture.counterJson(id, n)));
            }
        }
        for (IMqttToken t : tokens) {
            t.waitForCompletion(20_000);
            assertThat(IntStream.of(t.getReasonCodes()).boxed().toList()).as(SUCCESS).isNotEmpty().isSubsetOf(0, 0x10);
        }
        List<String> lines = fixture.storedLines();
        assertThat(lines).hasSize(perDevice * devices.size());
        for (int d = 1; d <= devices.size(); d++) {
            String id = "cnt-0" + d;
            List<String> mine = lines.stream().filter(l -> l.contains("device=" + id)).toList();
            assertThat(mine).hasSize(perDevice);
            List<Long> times = mine.stream().map(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).toList();
            assertThat(times).isSorted().doesNotHaveDuplicates();
        }
        assertThat(fixture.count("limes.frames.acknowledged", "source", "devices")).isEqualTo(tokens.size());
    }

    @Test
    void aMalformedFrameIsCountedAndAcknowledgedAndTheRestFlow() throws Exception {
        start(null);
        MqttAsyncClient device = device("cnt-01");
        List<IMqttToken> tokens = new ArrayList<>();
        tokens.add(publish(device, topic("cnt-01"), PipelineFixture.counterJson("cnt-01", 1)));
        tokens.add(publish(device, topic("cnt-01"), "{not json"));
        tokens.add(publish(device, topic("cnt-01"), PipelineFixture.counterJson("cnt-01", 2)));
        for (IMqttToken t : tokens) {
            t.waitForCompletion(10_000);
            assertThat(IntStream.of(t.getReasonCodes()).boxed().toList()).as(SUCCESS).isNotEmpty().isSubsetOf(0, 0x10);
        }
        assertThat(fixture.stored()).isEqualTo(2);
        assertThat(fixture.count("limes.errors", "component", "driver-counter-json")).isEqualTo(1);
    }

    @Test
    void aClosedSourceAnswersWithAnErrorCode() throws Exception {
        BrokerIngestSource source = start(null);
        MqttAsyncClient device = device("cnt-01");
        source.close();
        IMqttToken t = publish(device, topic("cnt-01"), PipelineFixture.counterJson("cnt-01", 1));
        t.waitForCompletion(10_000);
        assertThat(t.getReasonCodes()).containsOnly(0x83);
        assertThat(fixture.stored()).isZero();
        assertThat(source.ready()).isFalse();
    }

    @Test
    void subscribersDoNotGetDevicePublishesWhenNotRouted() throws Exception {
        start(false);
        List<String> received = subscriber("crossing/#");
        MqttAsyncClient device = device("cnt-01");
        publish(device, topic("cnt-01"), PipelineFixture.counterJson("cnt-01", 1)).waitForCompletion(10_000);
        // A topic no source claims is routed as by any broker: once it arrived, the device's
        // earlier publish would have arrived before it.
        publish(device, "crossing/ras-ajdir/marker", "marker").waitForCompletion(10_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("crossing/ras-ajdir/marker"));
        assertThat(received).containsExactly("crossing/ras-ajdir/marker");
        assertThat(fixture.stored()).isEqualTo(1);
    }

    @Test
    void byDefaultSubscribersGetThemOnceStored() throws Exception {
        start(null);
        List<String> received = subscriber("crossing/#");
        MqttAsyncClient device = device("cnt-01");
        publish(device, topic("cnt-01"), PipelineFixture.counterJson("cnt-01", 1)).waitForCompletion(10_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.contains(topic("cnt-01")));
        assertThat(fixture.stored()).isEqualTo(1);
    }

    private List<String> subscriber(String filter) throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        track(MqttTestSubscriber.start(broker.uri(), "watcher", List.of(filter), (t, m) -> received.add(t)));
        return received;
    }
}
