package org.limes.simulator.chaos;

import java.time.Duration;
import java.util.Locale;
import org.limes.simulator.DurationConverter;

/**
 * One phase of a chaos schedule: what the proxy does to the link, and for how long.
 *
 * <pre>
 * text                            mode      the link
 * ------------------------------  --------  ---------------------------------------------------
 * pass 10s                        pass      relays bytes untouched
 * cut 5s                          cut       closes every connection and refuses new ones (accept, close)
 * delay_ms=300 10s                delay     relays each chunk 300 ms late, in order
 * throttle_bytes_per_s=2000 10s   throttle  relays at most 2000 bytes/s each way
 * reset                           reset     aborts every connection with a TCP RST, then passes
 * </pre>
 *
 * A phase without a duration lasts until the end (or, for {@code reset}, is instantaneous).
 *
 * @param mode        pass, cut, delay, throttle or reset
 * @param duration    how long it lasts; null = until the end
 * @param delayMs     the delay of {@code delay}
 * @param bytesPerSec the rate of {@code throttle}
 */
public record ChaosPhase(String mode, Duration duration, long delayMs, long bytesPerSec) {

    public ChaosPhase {
        switch (mode) {
            case "pass", "cut", "reset" -> {
            }
            case "delay" -> {
                if (delayMs < 1 || delayMs > 600_000) {
                    throw new IllegalArgumentException("delay_ms must be 1..600000, got " + delayMs);
                }
            }
            case "throttle" -> {
                if (bytesPerSec < 1) {
                    throw new IllegalArgumentException("throttle_bytes_per_s must be at least 1, got " + bytesPerSec);
                }
            }
            default -> throw new IllegalArgumentException("phase must be pass, cut, delay_ms=N, throttle_bytes_per_s=N"
                    + " or reset, got '" + mode + "'");
        }
    }

    /** A phase of the given mode and duration (null = to the end). */
    public static ChaosPhase of(String mode, Duration duration) {
        return new ChaosPhase(mode, duration, 0, 0);
    }

    /**
     * Parses {@code "cut 5s"}, {@code "delay_ms=300 10s"}, {@code "reset"}, ….
     *
     * @throws IllegalArgumentException saying what was expected
     */
    public static ChaosPhase parse(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length == 0 || parts.length > 2 || parts[0].isEmpty()) {
            throw new IllegalArgumentException("a phase is MODE [DURATION], e.g. 'cut 5s', got '" + text.trim() + "'");
        }
        Duration d = parts.length == 2 ? DurationConverter.parse(parts[1]) : null;
        String head = parts[0].toLowerCase(Locale.ROOT);
        int eq = head.indexOf('=');
        if (eq < 0) {
            return new ChaosPhase(head, d, 0, 0);
        }
        long value;
        try {
            value = Long.parseLong(head.substring(eq + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + head + "' needs a whole number after =");
        }
        return switch (head.substring(0, eq)) {
            case "delay_ms" -> new ChaosPhase("delay", d, value, 0);
            case "throttle_bytes_per_s" -> new ChaosPhase("throttle", d, 0, value);
            default -> throw new IllegalArgumentException("phase must be pass, cut, delay_ms=N, "
                    + "throttle_bytes_per_s=N or reset, got '" + head + "'");
        };
    }

    @Override
    public String toString() {
        String head = switch (mode) {
            case "delay" -> "delay_ms=" + delayMs;
            case "throttle" -> "throttle_bytes_per_s=" + bytesPerSec;
            default -> mode;
        };
        return duration == null ? head : head + " " + duration.toMillis() + "ms";
    }
}
