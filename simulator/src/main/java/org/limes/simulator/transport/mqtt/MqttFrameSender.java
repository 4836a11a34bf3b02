package org.limes.simulator.transport.mqtt;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.limes.simulator.transport.FrameSender;
import org.limes.simulator.transport.TargetConfig;

/**
 * Frames published to an MQTT broker through a {@link MqttPublisher}, one message per frame,
 * to the target's topic template with {@code {site}}, {@code {kind}} and {@code {device}}
 * filled in. Delivered means acknowledged by the broker (PUBACK/PUBCOMP; written at QoS 0).
 *
 * <p>Threading as {@link FrameSender}: {@link #send} blocks while the broker's receive
 * maximum is in flight.
 */
public final class MqttFrameSender implements FrameSender {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final MqttPublisher publisher;
    private final String topic;
    private final String site;
    private final int qos;

    private MqttFrameSender(MqttPublisher publisher, String topic, String site, int qos) {
        this.publisher = publisher;
        this.topic = topic;
        this.site = site;
        this.qos = qos;
    }

    /** Connects to the target's broker; {@code site} fills {@code {site}} in the topic. */
    public static MqttFrameSender open(TargetConfig target, String clientId, String site) throws IOException {
        return new MqttFrameSender(MqttPublisher.connect(target.uri(), clientId, CONNECT_TIMEOUT), target.topic(),
                site, target.qos());
    }

    @Override
    public CompletableFuture<Void> send(String device, String kind, byte[] frame) {
        return publisher.publish(topicFor(device, kind), frame, qos);
    }

    /** The topic a frame of {@code device} and {@code kind} goes to. */
    String topicFor(String device, String kind) {
        return topic.replace("{site}", site).replace("{kind}", kind).replace("{device}", device);
    }

    @Override
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return publisher.awaitAllAcknowledged(timeout);
    }

    @Override
    public void close() {
        publisher.close();
    }
}
