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

/** Decode throughput of {@code camera-json}: ANPR-read frames per second on one thread. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CameraJsonBenchmark {

    private Driver driver;
    private Frame frame;

    @Setup
    public void setUp() {
        driver = Drivers.load().create("camera-json", DriverOptions.empty());
        byte[] payload = ("{\"type\":\"anpr_read\",\"device\":\"cam-ras-ajdir-2\",\"time\":\"2026-11-26T08:00:00+02:00\","
                + "\"plate\":\"5-123456\",\"confidence_pct\":97.5,\"lane\":\"2\",\"direction\":\"inbound\","
                + "\"country\":\"LY\",\"vehicle_type\":\"car\",\"list\":\"blockList\"}").getBytes(StandardCharsets.UTF_8);
        frame = new Frame(payload, "bench", "crossing/x/camera/cam-ras-ajdir-2", Instant.EPOCH);
    }

    @Benchmark
    public List<Reading> decode() throws DecodeException {
        return driver.decode(frame);
    }
}
