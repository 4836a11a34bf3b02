package org.limes.gateway.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.limes.drivers.Reading;

/**
 * The value of a record in the passages topic ({@code limes.<crossing>.passages}): a read of a
 * listed plate, normalised by the frames' owner, with the gateway time at which that owner took
 * it — the time single mode's watchlist rule would judge it at. Keyed by the read's lane
 * ({@code WatchlistRule.laneKey}: site and lane, never the plate), so every camera of a lane
 * reaches one owner. Version 1, big-endian; str = u16 length + modified UTF-8 ({@link DataOutputStream#writeUTF}):
 *
 * <pre>
 * offset  size  field
 * 0       1     magic 0x50 ('P')
 * 1       1     version, 1
 * 2       8     now_ms        gateway epoch ms at which the frames' owner took the read (i64)
 * 10      str   device
 * ..      str   site
 * ..      str   kind
 * ..      8+4   device_time   epoch seconds (i64) + nanoseconds (i32)
 * ..      8+4   received_at   epoch seconds (i64) + nanoseconds (i32)
 * ..      2     tags          (u16), each: key str, value str
 * ..      2     fields        (u16), each: name str, type u8 ('S' str, 'D' f64, 'L' i64, 'B' u8), value
 * </pre>
 *
 * A value that cannot be read is refused with {@link IllegalArgumentException} saying why. Stateless.
 *
 * @param nowMs   the gateway time at which the frames' owner took the read
 * @param reading the read, normalised (inventory site and tags)
 */
record PassageRead(long nowMs, Reading reading) {

    static final byte MAGIC = 0x50;
    static final byte VERSION = 1;

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MAGIC);
            out.writeByte(VERSION);
            out.writeLong(nowMs);
            Reading r = reading;
            out.writeUTF(r.deviceId());
            out.writeUTF(r.site());
            out.writeUTF(r.kind());
            instant(out, r.deviceTime());
            instant(out, r.receivedAt());
            out.writeShort(r.tags().size());
            for (Map.Entry<String, String> e : r.tags().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            out.writeShort(r.fields().size());
            for (Map.Entry<String, Object> e : r.fields().entrySet()) {
                out.writeUTF(e.getKey());
                Object v = e.getValue();
                if (v instanceof String str) {
                    out.writeByte('S');
                    out.writeUTF(str);
                } else if (v instanceof Double d) {
                    out.writeByte('D');
                    out.writeDouble(d);
                } else if (v instanceof Long l) {
                    out.writeByte('L');
                    out.writeLong(l);
                } else if (v instanceof Boolean b) {
                    out.writeByte('B');
                    out.writeByte(b ? 1 : 0);
                } else {
                    throw new IllegalArgumentException("field " + e.getKey() + " has type " + v.getClass().getSimpleName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static PassageRead decode(byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            if (in.readByte() != MAGIC) {
                throw new IllegalArgumentException("not a Limes passage read: byte 0 is not 0x50");
            }
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("passage read version " + version + " is not known (1 is)");
            }
            long nowMs = in.readLong();
            String device = in.readUTF();
            String site = in.readUTF();
            String kind = in.readUTF();
            Instant deviceTime = instant(in);
            Instant receivedAt = instant(in);
            int tagCount = in.readUnsignedShort();
            Map<String, String> tags = new HashMap<>();
            for (int i = 0; i < tagCount; i++) {
                tags.put(in.readUTF(), in.readUTF());
            }
            int fieldCount = in.readUnsignedShort();
            Map<String, Object> fields = new HashMap<>();
            for (int i = 0; i < fieldCount; i++) {
                String name = in.readUTF();
                int type = in.readUnsignedByte();
                fields.put(name, switch (type) {
                    case 'S' -> in.readUTF();
                    case 'D' -> in.readDouble();
                    case 'L' -> in.readLong();
                    case 'B' -> in.readByte() != 0;
                    default -> throw new IllegalArgumentException("passage read field " + name + " has type 0x"
                            + Integer.toHexString(type) + ", not S, D, L or B");
                });
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException("passage read has " + in.available() + " bytes past its end");
            }
            return new PassageRead(nowMs, new Reading(device, site, kind, tags, fields, deviceTime, receivedAt));
        } catch (EOFException e) {
            throw new IllegalArgumentException("passage read ends early", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("passage read cannot be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException("passage read is not a reading: " + e.getMessage(), e);
        }
    }

    private static void instant(DataOutputStream out, Instant t) throws IOException {
        out.writeLong(t.getEpochSecond());
        out.writeInt(t.getNano());
    }

    private static Instant instant(DataInputStream in) throws IOException {
        long s = in.readLong();
        int ns = in.readInt();
        if (ns < 0 || ns > 999_999_999) {
            throw new IllegalArgumentException("passage read time has nanoseconds " + ns);
        }
        return Instant.ofEpochSecond(s, ns);
    }
}
