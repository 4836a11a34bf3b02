package org.limes.simulator.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.limes.simulator.transport.http.HttpFrameSender;
import org.limes.simulator.transport.mqtt.MqttFrameSender;
import org.limes.simulator.transport.tcp.TcpFrameSender;
import org.limes.simulator.transport.udp.UdpFrameSender;

/**
 * Sends device frames to the gateway over one transport: the simulator's extension point
 * for the ways field hardware reaches a crossing's gateway (MQTT, TCP, UDP, HTTP).
 *
 * <p>Threading: {@link #send} is called from one sending thread at a time; it may block
 * that thread while the transport's bounded in-flight window is full (the backpressure),
 * and never buffers without bound. The returned future completes when the transport
 * considers the frame delivered (MQTT: acknowledged; HTTP: a 2xx answer; TCP and UDP:
 * written to the socket) and exceptionally when it was not; whatever is chained on it must
 * be quick. A sender must not retry a frame on its own: the caller counts the failure.
 */
public interface FrameSender extends AutoCloseable {

    /**
     * Sends one frame of {@code device}.
     *
     * @param device the device id, for topics and logs
     * @param kind   the reading kind, for topics ({@code vehicle_count}, {@code radar_track}, …)
     * @param frame  the bytes exactly as the device sends them
     */
    CompletableFuture<Void> send(String device, String kind, byte[] frame);

    /** Waits until everything sent so far completed; false when {@code timeout} ran out first. */
    boolean awaitIdle(Duration timeout) throws InterruptedException;

    /** Releases the transport; frames sent after it fail. */
    @Override
    void close();

    /**
     * Opens the sender for a target: an explicit switch over the closed set of transports.
     *
     * @throws IOException when the destination cannot be reached (MQTT, TCP) or named
     */
    static FrameSender open(TargetConfig target, String clientId, String site) throws IOException {
        return switch (target.type()) {
            case "mqtt" -> MqttFrameSender.open(target, clientId, site);
            case "tcp" -> TcpFrameSender.open(target);
            case "udp" -> UdpFrameSender.open(target);
            case "http" -> HttpFrameSender.open(target);
            default -> throw new IllegalArgumentException("unknown transport type " + target.type());
        };
    }
}
