package org.limes.drivers.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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

/** Decode throughput of {@code counter-csv}, one four-lane station line (four readings): frames per second on one thread. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CsvCounterBenchmark {

    private Driver driver;
    private Frame frame;

    @Setup
    public void setUp() {
        driver = Drivers.load().create("counter-csv", DriverOptions.of(Map.of("zone", "Africa/Tripoli")));
        byte[] payload = ("401,4,12,61.5,120,9,58.0,95,14,63.2,131,7,,88,2026-11-26 08:00:00").getBytes(StandardCharsets.US_ASCII);
        frame = new Frame(payload, "bench", "bench", Instant.parse("2026-11-26T06:00:01Z"));
    }

    @Benchmark
    public List<Reading> decode() throws DecodeException {
        return driver.decode(frame);
    }
}
