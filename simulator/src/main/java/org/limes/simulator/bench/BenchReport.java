package org.limes.simulator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

/**
 * What one {@code bench} invocation measured.
 *
 * @param broker                what broker, e.g. {@code mosquitto 2.0.11}
 * @param qos                   the QoS of every load message
 * @param devices               devices in the load and the gateway's inventory
 * @param payloadBytes          mean payload size
 * @param brokerSent            phase (a): messages the broker acknowledged
 * @param brokerDelivered       phase (a): messages the plain subscriber received
 * @param brokerLimitMsgsPerS   phase (a): delivered / (last delivery − first publish)
 * @param sent                  phase (b): messages the broker acknowledged
 * @param stored                phase (b): rows in the store from those messages
 * @param gatewayMsgsPerS       phase (b): stored / (time the store held them all − first publish)
 * @param alertLatencyMicros    phase (c): device publish → centre receipt
 * @param alertTimeouts         phase (c): transitions that did not arrive within 10 s
 * @param heapBytesAfterGc      the gateway's heap in use after a full GC, after phase (b)
 * @param complete              whether every phase finished without a stall
 */
public record BenchReport(String broker, int qos, int devices, double payloadBytes, long brokerSent,
        long brokerDelivered, double brokerLimitMsgsPerS, long sent, long stored, double gatewayMsgsPerS,
        Histogram alertLatencyMicros, long alertTimeouts, long heapBytesAfterGc, boolean complete) {

    /** gateway / broker limit. */
    public double ratio() {
        return brokerLimitMsgsPerS > 0 ? gatewayMsgsPerS / brokerLimitMsgsPerS : 0;
    }

    /** Whether nothing was lost: every message the broker accepted was stored, and no alert timed out. */
    public boolean lossless() {
        return complete && stored == sent && brokerDelivered == brokerSent && alertTimeouts == 0;
    }

    /** The report as one JSON object (the bench's last line with {@code --json}). */
    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        o.put("broker", broker);
        o.put("qos", qos);
        o.put("devices", devices);
        o.put("payload_bytes", Math.round(payloadBytes));
        o.put("broker_limit_msgs_per_s", Math.round(brokerLimitMsgsPerS));
        o.put("gateway_msgs_per_s", Math.round(gatewayMsgsPerS));
        o.put("ratio", Math.round(ratio() * 1000) / 1000.0);
        o.put("sent", sent);
        o.put("stored", stored);
        o.put("lost", sent - stored);
        o.put("broker_sent", brokerSent);
        o.put("broker_delivered", brokerDelivered);
        ObjectNode latency = o.putObject("alert_latency_ms");
        latency.put("p50", millis(alertLatencyMicros.getValueAtPercentile(50)));
        latency.put("p99", millis(alertLatencyMicros.getValueAtPercentile(99)));
        latency.put("p999", millis(alertLatencyMicros.getValueAtPercentile(99.9)));
        latency.put("max", millis(alertLatencyMicros.getMaxValue()));
        latency.put("count", alertLatencyMicros.getTotalCount());
        latency.put("timeouts", alertTimeouts);
        o.put("heap_mb_after_gc", heapBytesAfterGc < 0 ? -1 : Math.round(heapBytesAfterGc / 1048576.0 * 10) / 10.0);
        o.put("complete", complete);
        o.put("lossless", lossless());
        return o;
    }

    private static double millis(long micros) {
        return Math.round(micros / 100.0) / 10.0;
    }
}
