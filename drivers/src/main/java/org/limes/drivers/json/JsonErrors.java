package org.limes.drivers.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the JSON drivers share when a frame is not the JSON they expect: where in the frame
 * (a byte offset) and Jackson's reason without the location and source snippet it
 * appends. Stateless and thread-safe.
 */
public final class JsonErrors {

    private static final Pattern QUOTED = Pattern.compile("'([^']*)'");

    private JsonErrors() {
    }

    /** The byte offset of {@code location}, else of the parser's current position, else 0. */
    public static long offsetOf(JsonLocation location, JsonParser parser) {
        JsonLocation at = location != null ? location : parser != null ? parser.currentLocation() : null;
        if (at == null) {
            return 0;
        }
        return at.getByteOffset() >= 0 ? at.getByteOffset() : Math.max(0, at.getCharOffset());
    }

    /** Jackson's reason without the location and source snippet it appends. */
    public static String reason(JsonProcessingException e) {
        String reason = String.valueOf(e.getOriginalMessage());
        int cut = reason.indexOf('\n');
        if (cut >= 0) {
            reason = reason.substring(0, cut);
        }
        int marker = reason.indexOf(" (start marker at");
        return marker >= 0 ? reason.substring(0, marker) : reason;
    }

    /**
     * As {@link #reason}, with every input token Jackson quotes ({@code Unrecognized token
     * 'ABC123'}) replaced by {@code '…'}: for drivers whose input may hold personal data (a
     * plate) that must not reach a log. Jackson's own literals ('null', 'true', 'false'),
     * single characters and field names ({@code Duplicate field 'type'}) stay.
     */
    public static String reasonWithoutInput(JsonProcessingException e) {
        String reason = reason(e);
        Matcher m = QUOTED.matcher(reason);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String token = m.group(1);
            boolean keep = token.length() <= 1 || token.equals("null") || token.equals("true") || token.equals("false")
                    || reason.startsWith("field ", Math.max(0, m.start() - 6));
            m.appendReplacement(sb, Matcher.quoteReplacement(keep ? m.group() : "'…'"));
        }
        return m.appendTail(sb).toString();
    }

    /** Closes a parser over a byte array; that only releases buffers, so nothing is reported. */
    public static void closeQuietly(JsonParser parser) {
        try {
            parser.close();
        } catch (IOException e) {
            // Releasing buffers of an in-memory parser cannot lose anything.
        }
    }
}
