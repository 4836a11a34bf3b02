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

/** Decode throughput of {@code lineprotocol}, one point with three tags and five fields, and a short line: frames per second on one thread. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LineProtocolBenchmark {

    private Driver driver;
    private Frame frame;
    private Frame shortFrame;

    @Setup
    public void setUp() {
        driver = Drivers.load().create("lineprotocol", DriverOptions.of(Map.of("allow_kinds", "vehicle_count")));
        byte[] payload = ("vehicle_count,device=cnt-north-01,direction=inbound,lane=1 count_car=12i,count_total=18i," + "interval_s=60i,occupancy_pct=12.5,speed_avg_mps=6.5 1764136800000000000").getBytes(StandardCharsets.US_ASCII);
        frame = new Frame(payload, "bench", "bench", Instant.parse("2026-11-26T06:00:01Z"));
        byte[] shortLine = "temp,device=th-07 c=21.5 1764136800000000000".getBytes(StandardCharsets.US_ASCII);
        shortFrame = new Frame(shortLine, "bench", "bench", Instant.parse("2026-11-26T06:00:01Z"));
    }

    @Benchmark
    public List<Reading> decode() throws DecodeException {
        return driver.decode(frame);
    }

    /** A short line (one tag, one field, 45 bytes): the 2 M lines/s target of issue 15. */
    @Benchmark
    public List<Reading> decodeShort() throws DecodeException {
        return driver.decode(shortFrame);
    }
}
