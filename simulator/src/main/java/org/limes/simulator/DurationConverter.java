package org.limes.simulator;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses command-line durations: a non-negative number with a unit, {@code 500ms},
 * {@code 30s}, {@code 1.5s}, {@code 5m}, {@code 1h}, or an ISO-8601 duration such as
 * {@code PT30S}. Stateless and thread-safe.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /**
     * The duration {@code text} denotes.
     *
     * @throws IllegalArgumentException when it is not one of the accepted forms, or negative
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 30s, 5m or 1h, got nothing");
        }
        String trimmed = text.trim();
        Matcher m = SIMPLE.matcher(trimmed);
        if (m.matches()) {
            BigDecimal amount = new BigDecimal(m.group(1));
            BigDecimal millis = switch (m.group(2)) {
                case "ms" -> amount;
                case "s" -> amount.scaleByPowerOfTen(3);
                case "m" -> amount.multiply(BigDecimal.valueOf(60_000));
                default -> amount.multiply(BigDecimal.valueOf(3_600_000));
            };
            return Duration.ofNanos(millis.scaleByPowerOfTen(6).longValueExact());
        }
        if (trimmed.toUpperCase().startsWith("PT")) {
            try {
                Duration d = Duration.parse(trimmed.toUpperCase());
                if (!d.isNegative()) {
                    return d;
                }
            } catch (DateTimeParseException e) {
                // fall through to the common message
            }
        }
        throw new IllegalArgumentException("expected a duration such as 500ms, 30s, 5m or 1h, got '" + text + "'");
    }
}
