package org.limes.drivers.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;

/**
 * What the JSON drivers share when a frame is not the JSON they expect: where in the frame
 * (a byte offset) and Jackson's reason without the location and source snippet it
 * appends. Stateless and thread-safe.
 */
public final class JsonErrors {

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

    /** Closes a parser over a byte array; that only releases buffers, so nothing is reported. */
    public static void closeQuietly(JsonParser parser) {
        try {
            parser.close();
        } catch (IOException e) {
            // Releasing buffers of an in-memory parser cannot lose anything.
        }
    }
}
