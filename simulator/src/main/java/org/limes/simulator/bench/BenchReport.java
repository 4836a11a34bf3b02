package org.limes.simulator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one {@code bench} invocation measured.
 *
 * @param broker                what broker, e.g. {@code mosquitto 2.0.11}
 * @param brokerCpuAccounting   how the broker's CPU time was taken (a process, or threads of this JVM)
 * @param ingest                how the gateway took the load: {@code client} (a client of the bench's
 *                              broker) or {@code in_broker} (its own embedded broker, {@code --broker embedded})
 * @param store                 {@code embedded} (QuestDB in the gateway's JVM) or {@code external} (in its own)
 * @param qos                   the QoS of every load message
 * @param devices               devices in the load and the gateway's inventory
 * @param payloadBytes          mean payload size
 * @param publishers            MQTT connections the load is published on
 * @param subscribers           subscriber connections of the limit phase (a shared subscription if several)
 * @param brokerSent            phase (a): messages the broker acknowledged
 * @param brokerDelivered       phase (a): messages the plain subscribers received
 * @param limit                 phase (a): broker limit, delivered / (last delivery − first publish), and its CPU
 * @param sent                  phase (b): messages the broker acknowledged
 * @param stored                phase (b): rows in the store from those messages
 * @param flood                 phase (b): stored / (time the store held them all − first publish), and CPU
 * @param alertLatencyMicros    during (b): device publish → centre receipt
 * @param alertTimeouts         during (b): transitions that did not arrive within 10 s
 * @param paced                 phase (c), or null when it did not run
 * @param pacedSkipped          why phase (c) did not run, or null when it ran
 * @param heapBytesAfterGc      the gateway's heap in use after a full GC, at the end
 * @param rssPeakBytes          the gateway's peak resident set ({@code VmHWM}) at the end; -1 if unknown
 * @param rssEndBytes           the gateway's resident set ({@code VmRSS}) at the end, before that GC
 * @param storeRssPeakBytes     the external store's peak resident set at the end; -1 with the embedded store
 * @param warmup                messages stored in the warm-up before the flood, not measured
 * @param warmupRounds          warm-up rounds run
 * @param warmupJitShare        the JIT's share of the gateway's CPU in the last warm-up round; -1 without warm-up
 * @param complete              whether every phase finished without a stall
 */
public record BenchReport(String broker, String brokerCpuAccounting, String ingest, String store, int qos, int devices, double payloadBytes,
        int publishers, int subscribers, long warmup, int warmupRounds, double warmupJitShare, long brokerSent, long brokerDelivered, BenchPhase limit, long sent,
        long stored, BenchPhase flood, Histogram alertLatencyMicros, long alertTimeouts, Paced paced,
        String pacedSkipped, long heapBytesAfterGc, long rssPeakBytes, long rssEndBytes, long storeRssPeakBytes,
        boolean complete) {

    /**
     * Phase (c): a paced load below the gateway's maximum, with alert probes.
     *
     * @param targetMsgsPerS  the rate asked for ({@code --rate}, or 80 % of the flood's gateway rate)
     * @param sentRate        the rate the publisher held
     * @param sent            messages the broker acknowledged
     * @param stored          rows stored from them
     * @param phase           wall time (first publish → last row stored) and CPU
     * @param latencyMicros   device publish → centre receipt
     * @param timeouts        transitions that did not arrive within 10 s
     */
    public record Paced(double targetMsgsPerS, double sentRate, long sent, long stored, BenchPhase phase,
            Histogram latencyMicros, long timeouts) {
    }

    public double brokerLimitMsgsPerS() {
        return limit.msgsPerSecond();
    }

    public double gatewayMsgsPerS() {
        return flood.msgsPerSecond();
    }

    /** gateway / broker limit. */
    public double ratio() {
        return brokerLimitMsgsPerS() > 0 ? gatewayMsgsPerS() / brokerLimitMsgsPerS() : 0;
    }

    /** Whether nothing was lost: every message the broker accepted was stored, and no alert timed out. */
    public boolean lossless() {
        return complete && stored == sent && brokerDelivered == brokerSent && alertTimeouts == 0
                && (paced == null || (paced.stored() == paced.sent() && paced.timeouts() == 0));
    }

    /** The report as one JSON object (the bench's last line with {@code --json}). */
    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        o.put("broker", broker);
        o.put("ingest", ingest);
        o.put("store", store);
        o.put("qos", qos);
        o.put("devices", devices);
        o.put("payload_bytes", Math.round(payloadBytes));
        o.put("publishers", publishers);
        o.put("subscribers", subscribers);
        o.put("warmup", warmup);
        o.put("warmup_rounds", warmupRounds);
        o.put("warmup_jit_share", round(warmupJitShare, 3));
        o.put("broker_limit_msgs_per_s", Math.round(brokerLimitMsgsPerS()));
        o.put("broker_limit_cpu_share", round(limit.brokerCpuShare(), 3));
        o.put("gateway_msgs_per_s", Math.round(gatewayMsgsPerS()));
        o.put("ratio", round(ratio(), 3));
        o.put("gateway_cpu_us_per_msg", round(flood.gatewayMicrosPerMessage(), 1));
        o.put("broker_cpu_us_per_msg", round(limit.brokerMicrosPerMessage(), 1));
        o.put("store_cpu_us_per_msg", round(flood.storeMicrosPerMessage(), 1));
        o.put("gateway_gc_cpu_share", round(flood.gatewayGcShare(), 3));
        gc(o, flood);
        byThread(o, flood);
        o.put("gateway_rss_mb", megabytes(rssPeakBytes));
        o.put("gateway_rss_mb_end", megabytes(rssEndBytes));
        o.put("store_rss_mb", megabytes(storeRssPeakBytes));
        o.put("sent", sent);
        o.put("stored", stored);
        o.put("lost", sent - stored);
        o.put("broker_sent", brokerSent);
        o.put("broker_delivered", brokerDelivered);
        latency(o.putObject("alert_latency_ms"), alertLatencyMicros, alertTimeouts);
        if (paced != null) {
            ObjectNode p = o.putObject("paced");
            p.put("target_msgs_per_s", Math.round(paced.targetMsgsPerS()));
            p.put("sent_msgs_per_s", Math.round(paced.sentRate()));
            p.put("sent", paced.sent());
            p.put("stored", paced.stored());
            p.put("gateway_cpu_us_per_msg", round(paced.phase().gatewayMicrosPerMessage(), 1));
            p.put("broker_cpu_us_per_msg", round(paced.phase().brokerMicrosPerMessage(), 1));
            p.put("store_cpu_us_per_msg", round(paced.phase().storeMicrosPerMessage(), 1));
            latency(p.putObject("alert_latency_ms"), paced.latencyMicros(), paced.timeouts());
        } else {
            o.putObject("paced").put("skipped", pacedSkipped == null ? "not run" : pacedSkipped);
        }
        ObjectNode phases = o.putObject("phases");
        phase(phases.putObject("limit"), limit);
        phase(phases.putObject("flood"), flood);
        if (paced != null) {
            phase(phases.putObject("paced"), paced.phase());
        }
        o.put("broker_cpu_accounting", brokerCpuAccounting);
        o.put("clock_ticks_per_s", ProcStat.TICKS_PER_SECOND);
        o.put("heap_mb_after_gc", megabytes(heapBytesAfterGc));
        o.put("complete", complete);
        o.put("lossless", lossless());
        return o;
    }

    private static void phase(ObjectNode o, BenchPhase phase) {
        o.put("messages", phase.messages());
        o.put("wall_s", round(phase.wallNanos() / 1e9, 3));
        o.put("msgs_per_s", Math.round(phase.msgsPerSecond()));
        o.put("gateway_cpu_s", phase.gatewayCpuMicros() < 0 ? -1 : round(phase.gatewayCpuMicros() / 1e6, 2));
        o.put("gateway_cpu_share", round(phase.gatewayCpuShare(), 3));
        o.put("gateway_cpu_us_per_msg", round(phase.gatewayMicrosPerMessage(), 1));
        o.put("gateway_gc_cpu_s", phase.gatewayGcCpuMicros() < 0 ? -1 : round(phase.gatewayGcCpuMicros() / 1e6, 2));
        o.put("gateway_gc_cpu_share", round(phase.gatewayGcShare(), 3));
        gc(o, phase);
        byThread(o, phase);
        o.put("broker_cpu_s", phase.brokerCpuMicros() < 0 ? -1 : round(phase.brokerCpuMicros() / 1e6, 2));
        o.put("broker_cpu_share", round(phase.brokerCpuShare(), 3));
        o.put("broker_cpu_us_per_msg", round(phase.brokerMicrosPerMessage(), 1));
        o.put("store_cpu_s", phase.storeCpuMicros() < 0 ? -1 : round(phase.storeCpuMicros() / 1e6, 2));
        o.put("store_cpu_share", round(phase.storeCpuShare(), 3));
        o.put("store_cpu_us_per_msg", round(phase.storeMicrosPerMessage(), 1));
    }

    /** The gateway's allocation, promotion and collection pauses in a phase ({@link GcCounters}); -1 when not measured. */
    private static void gc(ObjectNode o, BenchPhase phase) {
        GcCounters gc = phase.gatewayGc();
        o.put("gateway_alloc_bytes_per_msg", Math.round(phase.gatewayAllocatedBytesPerMessage()));
        o.put("gateway_promoted_bytes_per_msg", Math.round(phase.gatewayPromotedBytesPerMessage()));
        o.put("gateway_gc_pauses", gc.pauses());
        o.put("gateway_gc_pause_s", gc.measured() ? round(gc.pauseSeconds(), 3) : -1);
    }

    /** {@code gateway_cpu_us_per_msg_by_thread}: each role's CPU per message ({@link GatewayThreads}); absent when not measured. */
    private static void byThread(ObjectNode o, BenchPhase phase) {
        Map<String, Double> perMessage = phase.gatewayMicrosPerMessageByThread();
        if (perMessage != null) {
            ObjectNode t = o.putObject("gateway_cpu_us_per_msg_by_thread");
            perMessage.forEach((role, micros) -> t.put(role, round(micros, 1)));
        }
    }

    /** A latency histogram of microseconds as milliseconds: p50, p99, p999, max, count and timeouts. */
    public static void latency(ObjectNode o, Histogram h, long timeouts) {
        o.put("p50", millis(h.getValueAtPercentile(50)));
        o.put("p99", millis(h.getValueAtPercentile(99)));
        o.put("p999", millis(h.getValueAtPercentile(99.9)));
        o.put("max", millis(h.getMaxValue()));
        o.put("count", h.getTotalCount());
        o.put("timeouts", timeouts);
    }

    private static double megabytes(long bytes) {
        return bytes < 0 ? -1 : Math.round(bytes / 1048576.0 * 10) / 10.0;
    }

    private static double round(double v, int digits) {
        if (v < 0) {
            return -1;
        }
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }

    private static double millis(long micros) {
        return Math.round(micros / 100.0) / 10.0;
    }
}
