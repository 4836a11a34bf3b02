package org.limes.gateway.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.config.GatewayConfig;
import org.limes.gateway.live.LiveMetrics;
import org.limes.gateway.live.LiveView;
import org.limes.gateway.pipeline.Inventory;
import org.limes.gateway.rules.DeviceTable;
import org.limes.gateway.rules.RuleContext;
import org.limes.gateway.rules.RuleEngine;
import org.limes.gateway.rules.RuleMetrics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Start-up with a large inventory: a configuration of 10,000 devices (the bench's shape — a
 * class with an expected interval, and half the devices with a lane, a location, a tag and
 * their own interval) and the rules the demo runs (threshold, deadman, time integrity), read
 * through {@link ConfigLoader} and turned into what the gateway builds per device before the
 * first reading: the {@link Inventory}, the {@link LiveView} slots and two shards' device
 * tables and rule engines. Time per whole load, one thread.
 *
 * <pre>
 * mvn -B -q -P bench -DskipTests -pl gateway -am verify \
 *     -Djmh.args="ConfigLoad -f 1 -wi 5 -i 5 -prof gc"
 * </pre>
 *
 * <p>On a shared, loaded machine wall time says little; {@link #main} prints the load's CPU
 * time on its own thread (median of 15 after 5 to warm up), which other processes barely move:
 *
 * <pre>
 * java -cp "$(gateway test class path)" org.limes.gateway.bench.ConfigLoadBenchmark [devices]
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ConfigLoadBenchmark {

    static final int DEVICES = 10_000;
    private static final int SHARDS = 2;

    private final ConfigLoader loader = new ConfigLoader(Drivers.load());
    private String text;
    private int devices = DEVICES;

    @Setup
    public void setUp() {
        text = yaml(devices);
    }

    static String yaml(int devices) {
        StringBuilder y = new StringBuilder("""
                name: limes-bench
                sources:
                  - name: devices
                    type: mqtt
                    client_id: limes-bench-gateway
                    topics:
                      - filter: "crossing/+/counter/+"
                        driver: counter-json
                inventory:
                  unknown_devices: reject
                  classes:
                    counter: {expected_interval: 1h}
                    radar: {expected_interval: 5m}
                  devices:
                """);
        for (int d = 0; d < devices; d++) {
            y.append("    - {id: dev-").append(d).append(", site: ras-ajdir, class: ")
                    .append(d % 4 == 0 ? "radar" : "counter");
            if (d % 2 == 0) {
                y.append(", lane: \"").append(d % 4 + 1).append("\", location: {lat: 32.88").append(d % 100)
                        .append(", lon: 11.55").append(d % 100).append("}, tags: {direction: inbound}")
                        .append(", expected_interval: 10m");
            }
            y.append("}\n");
        }
        y.append("""
                rules:
                  - id: queue-surge
                    type: threshold
                    kind: vehicle_count
                    field: count_total
                    raise_above: 40
                    clear_below: 20
                    severity: warning
                  - id: device-silent
                    type: deadman
                    severity: critical
                  - id: radar-silent
                    type: deadman
                    class: radar
                    severity: warning
                  - id: clock
                    type: time_integrity
                    max_skew: 30s
                    jump: 5m
                    quarantine: store
                """);
        return y.toString();
    }

    @Benchmark
    public Object load() {
        GatewayConfig config = loader.parse("bench.yml", text);
        Inventory inventory = new Inventory(config.inventory());
        Clock clock = Clock.systemUTC();
        LiveView live = new LiveView(inventory, 1000, clock, new LiveMetrics(new SimpleMeterRegistry()));
        RuleContext ctx = RuleContext.of(new RuleMetrics(new SimpleMeterRegistry()));
        RuleEngine last = null;
        for (int s = 0; s < SHARDS; s++) {
            DeviceTable devices = new DeviceTable(config.name(), null, 0);
            for (String id : inventory.ids()) {
                if (Math.floorMod(id.hashCode(), SHARDS) == s) {
                    devices.addInventory(id, inventory.site(id), inventory.tags(id), inventory.expectedIntervalMs(id));
                }
            }
            last = new RuleEngine(devices, config.rules(), clock, ctx);
        }
        return new Object[] {live, last};
    }

    /** Prints the CPU time of one load on this thread: first (cold), then the median of 15 warm ones. */
    public static void main(String[] args) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        ConfigLoadBenchmark b = new ConfigLoadBenchmark();
        b.devices = args.length > 0 ? Integer.parseInt(args[0]) : DEVICES;
        b.setUp();
        long[] ms = new long[20];
        long wallCold = 0;
        for (int i = 0; i < ms.length; i++) {
            long wall = System.nanoTime();
            long t = cpu.getCurrentThreadCpuTime();
            b.load();
            ms[i] = (cpu.getCurrentThreadCpuTime() - t) / 1_000_000;
            if (i == 0) {
                wallCold = (System.nanoTime() - wall) / 1_000_000;
            }
        }
        long cold = ms[0];
        long[] warm = Arrays.copyOfRange(ms, 5, ms.length);
        Arrays.sort(warm);
        System.out.printf("config load, %d devices: cold %d ms CPU (%d ms wall), warm median %d ms CPU "
                + "(min %d, max %d)%n", b.devices, cold, wallCold, warm[warm.length / 2], warm[0], warm[warm.length - 1]);
    }
}
