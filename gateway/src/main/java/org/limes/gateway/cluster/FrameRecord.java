package org.limes.gateway.cluster;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.limes.drivers.Frame;

/**
 * The value of a record on the frames topic ({@code limes.<crossing>.frames}): one frame as a
 * source received it, with what the pipeline needs to decode and admit it on any instance. The
 * record's key is the device id (UTF-8); a frame holding readings of several devices is written
 * once per device, and the reader keeps only the readings of the key's device.
 *
 * <p>Layout, version 1, big-endian (strings are a u16 length and UTF-8 bytes):
 *
 * <pre>
 * offset  size  field
 * 0       1     magic 0x4C ('L')
 * 1       1     version, 1
 * 2       1     flags: bit 0 = identity present; the other bits 0
 * 3       str   source       the source's name in the gateway config, e.g. devices
 * ..      str   origin       MQTT topic, peer address or HTTP path
 * ..      str   driver       the driver that decoded it at the source, e.g. counter-json
 * ..      str   identity     the authenticated sender (only with flag bit 0)
 * ..      8     received_s   receive time, seconds since the epoch (i64)
 * ..      4     received_ns  nanoseconds of that second (i32, 0..999,999,999)
 * ..      4     payload_len  (i32), then the payload: the frame's bytes, untouched
 * </pre>
 *
 * Example: source {@code devices}, origin {@code c/1}, driver {@code d}, no identity, received at
 * 1970-01-01T00:00:01Z, payload {@code 7B 7D}:
 * {@code 4C 01 00 | 00 07 "devices" | 00 03 "c/1" | 00 01 "d" | 00..01 | 00 00 00 00 | 00 00 00 02 7B 7D}.
 *
 * <p>A reader rejects an unknown magic or version, or any length past the end, with
 * {@link IllegalArgumentException}. Stateless.
 */
public record FrameRecord(Frame frame, String driver) {

    public static final byte MAGIC = 0x4C;
    public static final byte VERSION = 1;
    private static final int HAS_IDENTITY = 1;

    /** The record's value. */
    public byte[] encode() {
        byte[] source = utf8(frame.source());
        byte[] origin = utf8(frame.origin());
        byte[] drv = utf8(driver);
        byte[] identity = frame.identity() == null ? null : utf8(frame.identity());
        int size = 3 + 2 + source.length + 2 + origin.length + 2 + drv.length
                + (identity == null ? 0 : 2 + identity.length) + 8 + 4 + 4 + frame.payload().length;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(MAGIC).put(VERSION).put((byte) (identity == null ? 0 : HAS_IDENTITY));
        putString(b, source);
        putString(b, origin);
        putString(b, drv);
        if (identity != null) {
            putString(b, identity);
        }
        b.putLong(frame.receivedAt().getEpochSecond()).putInt(frame.receivedAt().getNano());
        b.putInt(frame.payload().length).put(frame.payload());
        return b.array();
    }

    /** Reads a record's value back. */
    public static FrameRecord decode(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        try {
            if (b.get() != MAGIC) {
                throw new IllegalArgumentException("not a Limes frame record: byte 0 is not 0x4C");
            }
            byte version = b.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("frame record version " + version + " is not known (1 is)");
            }
            int flags = b.get();
            if ((flags & ~HAS_IDENTITY) != 0) {
                throw new IllegalArgumentException("frame record flags 0x" + Integer.toHexString(flags & 0xFF)
                        + " has unknown bits");
            }
            String source = getString(b, "source");
            String origin = getString(b, "origin");
            String driver = getString(b, "driver");
            String identity = (flags & HAS_IDENTITY) != 0 ? getString(b, "identity") : null;
            long seconds = b.getLong();
            int nanos = b.getInt();
            if (nanos < 0 || nanos > 999_999_999) {
                throw new IllegalArgumentException("frame record received_ns " + nanos + " is out of range");
            }
            int length = b.getInt();
            if (length < 0 || length != b.remaining()) {
                throw new IllegalArgumentException("frame record payload_len " + length + " does not match the "
                        + b.remaining() + " bytes left");
            }
            byte[] payload = new byte[length];
            b.get(payload);
            return new FrameRecord(new Frame(payload, source, origin, Instant.ofEpochSecond(seconds, nanos), identity),
                    driver);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("frame record ends early, at byte " + b.position(), e);
        }
    }

    private static byte[] utf8(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("a frame record string is longer than 65,535 bytes");
        }
        return bytes;
    }

    private static void putString(ByteBuffer b, byte[] s) {
        b.putShort((short) s.length).put(s);
    }

    private static String getString(ByteBuffer b, String field) {
        int n = Short.toUnsignedInt(b.getShort());
        if (n > b.remaining()) {
            throw new IllegalArgumentException("frame record " + field + " length " + n + " runs past the end");
        }
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
