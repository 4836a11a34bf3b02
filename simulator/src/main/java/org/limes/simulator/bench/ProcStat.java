package org.limes.simulator.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * CPU time and memory of a process or thread, read from Linux's {@code /proc}: {@code utime} +
 * {@code stime} from {@code /proc/<pid>/stat} (clock ticks, converted with the kernel's
 * {@code USER_HZ}, which {@code getconf CLK_TCK} prints and which is 100 on every mainstream
 * Linux), and {@code VmRSS}/{@code VmHWM} from {@code /proc/<pid>/status}.
 *
 * <p>The stat line is {@code pid (comm) state ppid …}: {@code comm} is the thread's name, up to
 * 15 bytes, and may itself hold spaces and parentheses ({@code "MQTT Rec: (x) y"}), so the
 * fields are counted from the <em>last</em> {@code ')'}.
 *
 * <p>Stateless; every method reads {@code /proc} afresh and is safe from any thread. Where
 * {@code /proc} is missing (not Linux) or the process has gone, readers return -1.
 */
public final class ProcStat {

    /** Linux's {@code USER_HZ}: the unit of {@code utime} and {@code stime}. */
    static final long TICKS_PER_SECOND = clockTicks();

    /** One parsed stat line. */
    record Stat(long pid, String comm, long utimeTicks, long stimeTicks) {
        long cpuTicks() {
            return utimeTicks + stimeTicks;
        }
    }

    private ProcStat() {
    }

    /**
     * Parses one {@code /proc/<pid>/stat} (or {@code task/<tid>/stat}) line.
     *
     * @throws IllegalArgumentException when the line is not a stat line
     */
    static Stat parse(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 1 || close < open) {
            throw new IllegalArgumentException("not a /proc stat line: " + abbreviate(line));
        }
        long pid = Long.parseLong(line.substring(0, open).strip());
        String comm = line.substring(open + 1, close);
        // After ") ": state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) flags(9) minflt(10)
        // cminflt(11) majflt(12) cmajflt(13) utime(14) stime(15): indices 11 and 12 from state.
        String[] rest = line.substring(close + 1).strip().split(" +");
        if (rest.length < 13) {
            throw new IllegalArgumentException("short /proc stat line: " + abbreviate(line));
        }
        return new Stat(pid, comm, Long.parseLong(rest[11]), Long.parseLong(rest[12]));
    }

    /** CPU time (user + system) of a whole process, all its threads, in µs; -1 when unreadable. */
    public static long processCpuMicros(long pid) {
        try {
            return ticksToMicros(parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
                    StandardCharsets.US_ASCII)).cpuTicks());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU time of those live threads of {@code pid} whose name ({@code comm}, at most 15
     * bytes) the filter accepts, in µs; -1 when unreadable. Threads that ended since are not
     * counted, so take both readings of an interval while the threads of interest live.
     */
    static long threadCpuMicros(long pid, Predicate<String> name) {
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    Stat stat = parse(Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII));
                    if (name.test(stat.comm())) {
                        ticks += stat.cpuTicks();
                    }
                } catch (IOException e) {
                    // the thread ended between listing and reading
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return ticksToMicros(ticks);
    }

    /**
     * Whether a HotSpot thread name belongs to the garbage collector: G1's and Parallel's workers
     * ({@code GC Thread#n}), G1's concurrent, refinement and service threads ({@code G1 …}), and
     * the {@code VM Thread}, where Serial runs its collections (and every other safepoint
     * operation, a small share beside them).
     */
    static boolean isGcThread(String comm) {
        return comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.equals("VM Thread");
    }

    /** {@code VmRSS} of a process in bytes; -1 when unreadable. */
    static long rssBytes(long pid) {
        long kb = statusKilobytes(pid, "VmRSS:");
        return kb < 0 ? -1 : kb * 1024;
    }

    /** {@code VmHWM}, the peak resident set of a process, in bytes; -1 when unreadable. */
    public static long peakRssBytes(long pid) {
        long kb = statusKilobytes(pid, "VmHWM:");
        return kb < 0 ? -1 : kb * 1024;
    }

    private static long statusKilobytes(long pid, String key) {
        try {
            return statusKilobytes(Files.readString(Path.of("/proc", Long.toString(pid), "status"),
                    StandardCharsets.US_ASCII), key);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The value of a {@code Key:  1234 kB} line of a {@code /proc/<pid>/status} text; -1 if absent. */
    static long statusKilobytes(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key)) {
                String value = line.substring(key.length()).strip();
                int space = value.indexOf(' ');
                return Long.parseLong(space < 0 ? value : value.substring(0, space));
            }
        }
        return -1;
    }

    static long ticksToMicros(long ticks) {
        return ticks * 1_000_000L / TICKS_PER_SECOND;
    }

    /** {@code getconf CLK_TCK}; 100 (the kernel's fixed USER_HZ on x86 and arm) if it cannot run. */
    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            p.waitFor();
            long hz = Long.parseLong(out);
            return hz > 0 ? hz : 100;
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
