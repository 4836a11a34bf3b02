package org.limes.gateway.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.limes.drivers.EventKey;
import org.limes.drivers.Reading;
import org.limes.drivers.lineprotocol.LineProtocolEncoder;

/**
 * A store that gets hashed plates keys each read by the hash, never by the plate: the event
 * offset in its timestamp is derived from the fields it stores, so it cannot be used to test
 * a guessed plate against a row, and two reads in one second stay two rows.
 */
class PseudonymisedEventKeyTest {

    private static final Instant SECOND = Instant.parse("2026-11-26T06:00:00Z");
    private final PlatePseudonymiser pseudonymiser = new PlatePseudonymiser("k".repeat(32)
            .getBytes(StandardCharsets.UTF_8));

    @Test
    void theStoredTimestampIsKeyedByTheHashedPlate() {
        Reading plain = read("QQ-111");
        Reading hashed = pseudonymiser.apply(plain);

        long stored = timestamp(LineProtocolEncoder.encode(hashed));

        assertThat(stored).isEqualTo(LineProtocolEncoder.nanos(SECOND) + EventKey.offsetMicros(hashed) * 1_000);
        assertThat(EventKey.offsetMicros(hashed)).isNotEqualTo(EventKey.offsetMicros(plain));
        assertThat(timestamp(LineProtocolEncoder.encode(pseudonymiser.apply(read("QQ-222")))))
                .as("another plate in the same second").isNotEqualTo(stored);
        assertThat(timestamp(LineProtocolEncoder.encode(pseudonymiser.apply(read("QQ-111")))))
                .as("the same read again").isEqualTo(stored);
        assertThat(hashed.deviceTime()).isEqualTo(SECOND);
    }

    private static Reading read(String plate) {
        return EventKey.mark(new Reading("cam-01", "ras-ajdir", "anpr_read", Map.of("lane", "1"),
                Map.of("plate", plate, "picture_bytes", 0L, "confidence_pct", 97.0), SECOND, SECOND),
                EventKey.SECOND_US);
    }

    private static long timestamp(String line) {
        return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
    }
}
