package org.limes.simulator.bench;

import java.util.Map;

/**
 * What one phase of a bench cost: its messages, its wall time and the CPU time each process
 * spent in it (user + system from {@code /proc}, µs; -1 where not measured).
 *
 * @param messages          messages the phase counts (delivered in the limit phase, stored otherwise)
 * @param wallNanos         first publish → last delivery or last row stored
 * @param gatewayCpuMicros  the gateway child JVM's CPU time in the phase; -1 when it did not run
 * @param brokerCpuMicros   the broker's CPU time in the phase (see {@link BenchBroker#cpuMicros})
 * @param storeCpuMicros    the external store's JVM's CPU time in the phase ({@code --store external});
 *                          -1 with the embedded store, whose CPU time is the gateway's
 * @param gatewayThreadCpuMicros the part of {@code gatewayCpuMicros} each role of its threads spent
 *                          ({@link GatewayThreads}, every role present); null when not measured
 * @param gatewayGc         the gateway's allocation, promotion and pauses in the phase
 *                          ({@link GcCounters}); {@link GcCounters#NONE} when not measured
 */
record BenchPhase(long messages, long wallNanos, long gatewayCpuMicros, long brokerCpuMicros, long storeCpuMicros,
        Map<String, Long> gatewayThreadCpuMicros, GcCounters gatewayGc) {

    /** The gateway's heap allocation per message, bytes; -1 when not measured. */
    double gatewayAllocatedBytesPerMessage() {
        return gatewayGc.measured() && messages > 0 ? gatewayGc.allocatedBytes() / messages : -1;
    }

    /** What the gateway promoted to its old generation per message, bytes; -1 when not measured. */
    double gatewayPromotedBytesPerMessage() {
        return gatewayGc.measured() && messages > 0 ? gatewayGc.promotedBytes() / messages : -1;
    }

    /** The gateway's garbage collector's threads' CPU time ({@link ProcStat#isGcThread}); -1 when not measured. */
    long gatewayGcCpuMicros() {
        return gatewayThreadCpuMicros == null ? -1 : gatewayThreadCpuMicros.get("gc");
    }

    /** Each role's CPU per message, µs, in {@link GatewayThreads#ROLES} order; null when not measured. */
    Map<String, Double> gatewayMicrosPerMessageByThread() {
        if (gatewayThreadCpuMicros == null || messages <= 0) {
            return null;
        }
        return GatewayThreads.perUnit(gatewayThreadCpuMicros, messages);
    }

    double gatewayMicrosPerMessage() {
        return perMessage(gatewayCpuMicros);
    }

    double brokerMicrosPerMessage() {
        return perMessage(brokerCpuMicros);
    }

    double storeMicrosPerMessage() {
        return perMessage(storeCpuMicros);
    }

    /** External store CPU seconds per wall second. */
    double storeCpuShare() {
        return storeCpuMicros < 0 || wallNanos <= 0 ? -1 : storeCpuMicros * 1000.0 / wallNanos;
    }

    /** Broker CPU seconds per wall second: 1.0 is one core busy for the whole phase. */
    double brokerCpuShare() {
        return brokerCpuMicros < 0 || wallNanos <= 0 ? -1 : brokerCpuMicros * 1000.0 / wallNanos;
    }

    /** Gateway CPU seconds per wall second. */
    double gatewayCpuShare() {
        return gatewayCpuMicros < 0 || wallNanos <= 0 ? -1 : gatewayCpuMicros * 1000.0 / wallNanos;
    }

    /** The gateway's GC threads' share of its CPU time: what the collector costs per message, whatever the heap limit. */
    double gatewayGcShare() {
        return gatewayGcCpuMicros() < 0 || gatewayCpuMicros <= 0 ? -1 : (double) gatewayGcCpuMicros() / gatewayCpuMicros;
    }

    double msgsPerSecond() {
        return wallNanos > 0 ? messages / (wallNanos / 1e9) : 0;
    }

    private double perMessage(long cpuMicros) {
        return cpuMicros < 0 || messages <= 0 ? -1 : (double) cpuMicros / messages;
    }
}
