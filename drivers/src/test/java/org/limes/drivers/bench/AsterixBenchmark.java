package org.limes.drivers.bench;

import java.time.Instant;
import java.util.HexFormat;
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
 * Decode throughput of {@code radar-asterix}: frames per second on one thread, for a
 * CAT048 record (polar and Cartesian position, lat/lon from the sensor position) and a
 * CAT062 record (WGS-84 position, skipped compound items).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AsterixBenchmark {

    private Driver driver;
    private Frame cat048;
    private Frame cat062;

    @Setup
    public void setUp() {
        driver = Drivers.load().create("radar-asterix",
                DriverOptions.of(Map.of("device", "radar-north", "sensor_lat", "32.8843", "sensor_lon", "11.5563")));
        HexFormat hex = HexFormat.of();
        cat048 = new Frame(hex.parseHex("30001af11e190c2a3000200c80400001010640ff000040800000"), "bench", "udp",
                Instant.parse("2026-11-26T06:00:02Z"));
        cat062 = new Frame(hex.parseHex("3e002ebf1d402802072a2f80005d950d0020feddfff830000bb9000cfff0c0abcdef"
                + "0000000000000fa000014010"), "bench", "udp", Instant.parse("2026-11-26T06:00:02Z"));
    }

    @Benchmark
    public List<Reading> decodeCat048() throws DecodeException {
        return driver.decode(cat048);
    }

    @Benchmark
    public List<Reading> decodeCat062() throws DecodeException {
        return driver.decode(cat062);
    }
}
