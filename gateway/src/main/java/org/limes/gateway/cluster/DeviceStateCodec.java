package org.limes.gateway.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.DeviceSnapshot;

/**
 * The value of a record in the rules' state store (and so in its changelog topic): one device's
 * {@link DeviceSnapshot}, keyed by the device id (UTF-8). Version 1, big-endian:
 *
 * <pre>
 * offset  size  field
 * 0       1     magic 0x53 ('S')
 * 1       1     version, 1
 * 2       1     heard: 1 heard since armed, 0 not (then heard_ms is when its silence started counting)
 * 3       8     heard_ms      gateway epoch ms (i64)
 * 11      4     open_len      (i32), then the open episodes as a JSON array in the canonical alert form
 * ..      2     rules         (u16) entries, each: rule id (u16 length + UTF-8), state_len (i32), state bytes
 * </pre>
 *
 * A rule's state bytes are the rule's own ({@code Rule#saveDevice}). A value that cannot be read
 * is refused with {@link IllegalArgumentException} saying where. Stateless.
 */
final class DeviceStateCodec {

    static final byte MAGIC = 0x53;
    static final byte VERSION = 1;
    /** The gateway field of the stored episodes: the state is the crossing's, not an instance's. */
    private static final String STATE = "state";

    private DeviceStateCodec() {
    }

    static byte[] encode(DeviceSnapshot s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MAGIC);
            out.writeByte(VERSION);
            out.writeByte(s.heard() ? 1 : 0);
            out.writeLong(s.heardMs());
            byte[] open = AlertJson.encodeAll(s.open(), STATE);
            out.writeInt(open.length);
            out.write(open);
            out.writeShort(s.rules().size());
            for (Map.Entry<String, byte[]> e : s.rules().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static DeviceSnapshot decode(String device, byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            if (in.readByte() != MAGIC) {
                throw new IllegalArgumentException("not a Limes device state: byte 0 is not 0x53");
            }
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("device state version " + version + " is not known (1 is)");
            }
            boolean heard = in.readByte() != 0;
            long heardMs = in.readLong();
            List<Alert> open = AlertJson.decodeAll(bytes(in, in.readInt(), "open_len"));
            int n = in.readUnsignedShort();
            Map<String, byte[]> rules = new HashMap<>();
            for (int i = 0; i < n; i++) {
                String id = in.readUTF();
                rules.put(id, bytes(in, in.readInt(), "state_len of rule " + id));
            }
            return new DeviceSnapshot(device, heardMs, heard, open, rules);
        } catch (EOFException e) {
            throw new IllegalArgumentException("device state of " + device + " ends early", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("device state of " + device + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(DataInputStream in, int length, String field) throws IOException {
        if (length < 0 || length > in.available()) {
            throw new IllegalArgumentException("device state " + field + " " + length + " runs past the end");
        }
        byte[] b = new byte[length];
        in.readFully(b);
        return b;
    }
}
