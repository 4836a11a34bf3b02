package org.limes.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.limes.drivers.lineprotocol.LineProtocolDriver;

class StoreNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "vehicle_count", "count_truck_articulated", "T1", "x_"})
    void plainIdentifiersAreStoreNames(String name) {
        assertThat(StoreNames.problem(name)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plc-x", "zo-ne", "a.b", "a b", "_field", "_measurement", "1abc", "é", "a,b", "a=b",
            "a\\b"})
    void otherNamesAreNot(String name) {
        assertThat(StoreNames.problem(name)).isNotNull();
    }

    @Test
    void gatewayKeysAndLimesMeasurementsIgnoreCase() {
        assertThat(StoreNames.isGatewayKey("Device")).isTrue();
        assertThat(StoreNames.isGatewayKey("SITE")).isTrue();
        assertThat(StoreNames.isGatewayKey("TimeStamp")).isTrue();
        assertThat(StoreNames.isGatewayKey("device_class")).isFalse();
        assertThat(StoreNames.isLimesMeasurement("Vehicle_Count")).isTrue();
        assertThat(StoreNames.isLimesMeasurement("ALERT")).isTrue();
        assertThat(StoreNames.isLimesMeasurement("cpu")).isFalse();
        assertThat(StoreNames.declaredType("VEHICLE_COUNT", "Occupancy_Pct")).isEqualTo(Double.class);
        assertThat(StoreNames.declaredType("cpu", "occupancy_pct")).isNull();
    }

    /**
     * Every golden reading of every driver but line protocol (which writes what its devices send)
     * has store names, a kind Limes declares, and the declared type for each declared field: the
     * table in {@link StoreNames} stays true to the drivers.
     */
    @Test
    void everyDriversGoldenReadingsMatchTheDeclaredKindsNamesAndTypes() throws Exception {
        Path root = Path.of(StoreNamesTest.class.getResource("/golden").toURI());
        List<Reading> readings = new ArrayList<>();
        try (Stream<Path> cases = Files.list(root).flatMap(d -> {
            try {
                return Files.list(d);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        })) {
            for (Path c : cases.toList()) {
                String driver = c.getParent().getFileName().toString();
                if (driver.equals(LineProtocolDriver.NAME) || !Files.exists(c.resolve("expected.json"))) {
                    continue;
                }
                Map<String, String> options = Files.exists(c.resolve("options.json"))
                        ? new ObjectMapper().readValue(c.resolve("options.json").toFile(),
                                new TypeReference<Map<String, String>>() { })
                        : Map.of();
                Path frame;
                try (Stream<Path> files = Files.list(c)) {
                    frame = files.filter(f -> f.getFileName().toString().startsWith("frame.")).findFirst().orElseThrow();
                }
                readings.addAll(Drivers.load().create(driver, DriverOptions.of(options))
                        .decodeAll(new Frame(Files.readAllBytes(frame), "golden", c.toString(), Instant.EPOCH))
                        .readings());
            }
        }

        assertThat(readings).hasSizeGreaterThan(20).allSatisfy(r -> {
            assertThat(StoreNames.LIMES_MEASUREMENTS).contains(r.kind());
            assertThat(StoreNames.problem(r.kind())).isNull();
            r.tags().keySet().forEach(k -> assertThat(StoreNames.problem(k)).as(k).isNull());
            r.tags().keySet().forEach(k -> assertThat(StoreNames.isGatewayKey(k)).as(k).isFalse());
            r.fields().forEach((k, v) -> {
                assertThat(StoreNames.problem(k)).as(k).isNull();
                Class<?> declared = StoreNames.declaredType(r.kind(), k);
                if (declared != null) {
                    assertThat(v).as(r.kind() + "." + k).isInstanceOf(declared);
                }
            });
        });
    }
}
