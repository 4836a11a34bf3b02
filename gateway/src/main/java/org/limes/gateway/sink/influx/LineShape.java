package org.limes.gateway.sink.influx;

import java.util.ArrayList;
import java.util.List;

/**
 * The measurement and tag keys of one line-protocol line, read without decoding values:
 * what a store that needs its tables declared up front must know.
 *
 * @param measurement the unescaped measurement name
 * @param tagKeys     the unescaped tag keys, in line order
 */
public record LineShape(String measurement, List<String> tagKeys) {

    /** Reads the shape of {@code line}; the line is one we wrote, so it is well formed. */
    public static LineShape of(String line) {
        StringBuilder token = new StringBuilder();
        String measurement = null;
        List<String> keys = new ArrayList<>();
        boolean inKey = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                token.append(line.charAt(++i));
                continue;
            }
            if (c == ',' || c == ' ') {
                if (measurement == null) {
                    measurement = token.toString();
                } else if (inKey) {
                    keys.add(token.toString());
                }
                token.setLength(0);
                if (c == ' ') {
                    break;
                }
                inKey = true;
                continue;
            }
            if (c == '=' && inKey) {
                keys.add(token.toString());
                token.setLength(0);
                inKey = false;
                continue;
            }
            if (inKey || measurement == null) {
                token.append(c);
            }
        }
        return new LineShape(measurement == null ? token.toString() : measurement, List.copyOf(keys));
    }
}
