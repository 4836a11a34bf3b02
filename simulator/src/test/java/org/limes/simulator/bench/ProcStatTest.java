package org.limes.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void readsUtimeAndStimeAfterTheLastParenthesisWhateverTheNameHolds() {
        String line = "4242 (MQTT Rec: (x) y) S 1 4242 4242 0 -1 4194304 1200 0 3 0 517 83 0 0 20 0 31 0 "
                + "1000 4000000000 50000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";

        ProcStat.Stat stat = ProcStat.parse(line);

        assertThat(stat.pid()).isEqualTo(4242);
        assertThat(stat.comm()).isEqualTo("MQTT Rec: (x) y");
        assertThat(stat.utimeTicks()).isEqualTo(517);
        assertThat(stat.stimeTicks()).isEqualTo(83);
        assertThat(stat.cpuTicks()).isEqualTo(600);
    }

    @Test
    void aPlainNameParsesTheSameWay() {
        ProcStat.Stat stat = ProcStat.parse("1 (mosquitto) R 0 1 1 0 -1 0 0 0 0 0 12 3 0 0 20 0 1 0 5 0 0\n");

        assertThat(stat.comm()).isEqualTo("mosquitto");
        assertThat(stat.cpuTicks()).isEqualTo(15);
    }

    @Test
    void refusesWhatIsNotAStatLine() {
        assertThatThrownBy(() -> ProcStat.parse("no parentheses here")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcStat.parse("1 (short) R 0 1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsKilobytesFromAStatusText() {
        String status = "Name:\tjava\nVmHWM:\t  412340 kB\nVmRSS:\t  398112 kB\nThreads:\t42\n";

        assertThat(ProcStat.statusKilobytes(status, "VmRSS:")).isEqualTo(398_112);
        assertThat(ProcStat.statusKilobytes(status, "VmHWM:")).isEqualTo(412_340);
        assertThat(ProcStat.statusKilobytes(status, "VmSwap:")).isEqualTo(-1);
    }

    @Test
    void thisProcessHasSpentCpuAndHoldsMemory() {
        long self = ProcessHandle.current().pid();
        long sum = 0;
        for (int i = 0; i < 2_000_000; i++) {
            sum += Long.numberOfTrailingZeros(i * 31L);
        }

        assertThat(sum).isPositive();
        assertThat(ProcStat.TICKS_PER_SECOND).isPositive();
        assertThat(ProcStat.processCpuMicros(self)).isPositive();
        assertThat(ProcStat.threadCpuMicros(self, name -> true)).isPositive()
                .isLessThanOrEqualTo(ProcStat.processCpuMicros(self));
        assertThat(ProcStat.rssBytes(self)).isPositive();
        assertThat(ProcStat.peakRssBytes(self)).isGreaterThanOrEqualTo(ProcStat.rssBytes(self) / 2);
        assertThat(ProcStat.processCpuMicros(Long.MAX_VALUE)).isEqualTo(-1);
    }

    /** HotSpot's collector threads, whichever collector runs, and nothing of the application's. */
    @Test
    void gcThreadsAreTheCollectorsOnly() {
        for (String gc : new String[] {"GC Thread#0", "GC Thread#1", "G1 Main Marker", "G1 Conc#0", "G1 Refine#0",
                "G1 Service", "VM Thread"}) {
            assertThat(ProcStat.isGcThread(gc)).as(gc).isTrue();
        }
        for (String other : new String[] {"C2 CompilerThre", "limes-pipeline-", "questdb-shared-", "main",
                "VM Periodic Tas"}) {
            assertThat(ProcStat.isGcThread(other)).as(other).isFalse();
        }
    }

    /** This JVM's collector has threads, and they are found by name. */
    @Test
    void thisJvmsGcThreadsAreFound() {
        assertThat(ProcStat.threadCpuMicros(ProcessHandle.current().pid(), ProcStat::isGcThread))
                .isGreaterThanOrEqualTo(0);
        assertThat(ProcStat.threadCpuMicros(ProcessHandle.current().pid(), n -> true))
                .isGreaterThanOrEqualTo(ProcStat.threadCpuMicros(ProcessHandle.current().pid(), ProcStat::isGcThread));
    }
}
