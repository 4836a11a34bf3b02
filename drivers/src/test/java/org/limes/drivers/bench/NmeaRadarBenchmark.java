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

/** Decode throughput of {@code radar-nmea}, one TTM sentence with every field: frames per second on one thread. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class NmeaRadarBenchmark {

    private Driver driver;
    private Frame frame;

    @Setup
    public void setUp() {
        driver = Drivers.load().create("radar-nmea", DriverOptions.of(Map.of("device", "radar-north")));
        byte[] payload = ("$RATTM,07,0.50,045.0,T,10.0,270.0,T,0.10,-1.5,N,PED1,T,,055959.50,A*" + checksum("RATTM,07,0.50,045.0,T,10.0,270.0,T,0.10,-1.5,N,PED1,T,,055959.50,A")).getBytes(StandardCharsets.US_ASCII);
        frame = new Frame(payload, "bench", "bench", Instant.parse("2026-11-26T06:00:01Z"));
    }

    @Benchmark
    public List<Reading> decode() throws DecodeException {
        return driver.decode(frame);
    }

    private static String checksum(String body) {
        int sum = 0;
        for (int i = 0; i < body.length(); i++) {
            sum ^= body.charAt(i);
        }
        return String.format("%02X", sum);
    }
}
