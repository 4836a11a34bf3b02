package org.limes.drivers.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Decode throughput of {@code counter-json}: frames per second on one thread. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CounterJsonBenchmark {

    private Driver driver;
    private Frame frame;

    @Setup
    public void setUp() {
        driver = Drivers.load().create("counter-json", DriverOptions.empty());
        byte[] payload = ("{\"device\":\"cnt-north-01\",\"time\":\"2026-11-26T06:00:00Z\",\"lane\":\"1\","
                + "\"direction\":\"inbound\",\"interval_s\":60,\"counts\":{\"car\":12,\"van\":2,\"truck\":3,"
                + "\"bus\":0,\"motorcycle\":1},\"avg_speed_kmh\":23.4,\"occupancy_pct\":12.5}")
                .getBytes(StandardCharsets.UTF_8);
        frame = new Frame(payload, "bench", "crossing/x/counter/cnt-north-01", Instant.EPOCH);
    }

    @Benchmark
    public List<Reading> decode() throws DecodeException {
        return driver.decode(frame);
    }
}
