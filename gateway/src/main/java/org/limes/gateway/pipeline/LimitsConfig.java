package org.limes.gateway.pipeline;

import java.util.Map;
import org.limes.drivers.Reading;
import org.limes.gateway.config.Require;

/**
 * {@code limits:} — what one decoded reading may hold, and how fast one device may report.
 * The pipeline checks every reading against them once, right after decoding, whatever the
 * driver; a reading over a limit is dropped and counted ({@code limes.dropped{reason=over_limits}}),
 * a device over its rate loses the readings beyond it ({@code reason=rate_limited}). Frame,
 * body and connection limits belong to each source.
 *
 * @param maxTagsPerReading            tags on one reading (default 32)
 * @param maxFieldsPerReading          fields on one reading (default 64)
 * @param maxStringChars               device id, kind, tag keys and values, field names and string
 *                                     field values, each (default 256)
 * @param maxReadingsPerSecondPerDevice readings a second one device may send, with a burst of one
 *                                     second's worth (default 5000)
 */
public record LimitsConfig(Integer maxTagsPerReading, Integer maxFieldsPerReading, Integer maxStringChars,
        Integer maxReadingsPerSecondPerDevice) {

    public LimitsConfig {
        maxTagsPerReading = (int) Require.range("max_tags_per_reading", maxTagsPerReading, 32, 1, 1024);
        maxFieldsPerReading = (int) Require.range("max_fields_per_reading", maxFieldsPerReading, 64, 1, 4096);
        maxStringChars = (int) Require.range("max_string_chars", maxStringChars, 256, 8, 65_536);
        maxReadingsPerSecondPerDevice = (int) Require.range("max_readings_per_second_per_device",
                maxReadingsPerSecondPerDevice, 5000, 1, 1_000_000);
    }

    public static LimitsConfig defaults() {
        return new LimitsConfig(null, null, null, null);
    }

    /** Why this reading is over a limit, or null when it is within all of them. */
    public String violation(Reading r) {
        if (r.tags().size() > maxTagsPerReading) {
            return r.tags().size() + " tags, limit " + maxTagsPerReading;
        }
        if (r.fields().size() > maxFieldsPerReading) {
            return r.fields().size() + " fields, limit " + maxFieldsPerReading;
        }
        if (r.deviceId().length() > maxStringChars) {
            return "a device id of " + r.deviceId().length() + " chars, limit " + maxStringChars;
        }
        if (r.kind().length() > maxStringChars) {
            return "a kind of " + r.kind().length() + " chars, limit " + maxStringChars;
        }
        for (Map.Entry<String, String> t : r.tags().entrySet()) {
            if (t.getKey().length() > maxStringChars || t.getValue().length() > maxStringChars) {
                return "tag " + shorten(t.getKey()) + " longer than " + maxStringChars + " chars";
            }
        }
        for (Map.Entry<String, Object> f : r.fields().entrySet()) {
            if (f.getKey().length() > maxStringChars
                    || f.getValue() instanceof String s && s.length() > maxStringChars) {
                return "field " + shorten(f.getKey()) + " longer than " + maxStringChars + " chars";
            }
        }
        return null;
    }

    private static String shorten(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "…";
    }
}
