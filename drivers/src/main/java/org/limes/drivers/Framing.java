package org.limes.drivers;

/**
 * How a driver's frames are delimited on a byte stream, so a source can build the
 * matching decoder in front of it. Message transports (MQTT, UDP, HTTP) ignore it:
 * one message is one frame.
 */
public enum Framing {
    /** One frame per line, terminated by LF (a preceding CR is stripped). */
    NEWLINE,
    /** Each frame preceded by a big-endian length field (width set by the source). */
    LENGTH_PREFIXED,
    /**
     * Each frame preceded by its length as a 4-byte little-endian unsigned integer, not
     * counting itself: SAPIENT (BSI Flex 335 v2.0) over TCP.
     */
    LENGTH_PREFIXED_U32LE,
    /** ASTERIX data blocks: one octet CAT, two octets LEN including the header. */
    ASTERIX_BLOCK,
    /** A whole document per frame (an HTTP body, an XML file). */
    DOCUMENT
}
