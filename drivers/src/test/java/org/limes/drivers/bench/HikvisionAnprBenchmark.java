package org.limes.drivers.bench;

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

/**
 * Decode throughput of {@code camera-hikvision}: frames per second on one thread, for a
 * camera's multipart body with a 20 KB plate picture and a 180 KB scene picture.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HikvisionAnprBenchmark {

    private Driver driver;
    private Frame frame;

    @Setup
    public void setUp() {
        driver = Drivers.load().create("camera-hikvision", DriverOptions.empty());
        Reading read = new Reading("10.20.0.31", "", "anpr_read",
                Map.of("lane", "2", "direction", "forward", "country", "LY", "list", "blockList"),
                Map.of("plate", "5-123456", "confidence_pct", 97.0, "picture_bytes", 200_000L),
                Instant.parse("2026-11-26T06:00:00Z"), Instant.EPOCH);
        frame = new Frame(driver.encode(read), "bench", "/isapi/anpr", Instant.EPOCH);
    }

    @Benchmark
    public List<Reading> decode() throws DecodeException {
        return driver.decode(frame);
    }
}
