package org.limes.gateway.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.WatchlistRule.OpenPassage;

/**
 * The value of a record in the passage owner's state store ({@code passages}, and so in its
 * changelog topic): one open watchlist passage, keyed by its episode's {@code alert_id} (UTF-8).
 * Version 1, big-endian:
 *
 * <pre>
 * offset  size  field
 * 0       1     magic 0x57 ('W')
 * 1       1     version, 1
 * 2       8     last_seen_ms  gateway epoch ms of the passage's last read (i64; Long.MIN_VALUE: not known)
 * 10      4     reads         reads in the passage so far (i32, ≥ 1)
 * 14      4     alert_len     (i32), then the raised episode, a JSON array of one alert in the canonical form
 * </pre>
 *
 * A value that cannot be read is refused with {@link IllegalArgumentException} saying where. Stateless.
 */
final class PassageStateCodec {

    static final byte MAGIC = 0x57;
    static final byte VERSION = 1;
    /** The gateway field of the stored episode: the state is the crossing's, not an instance's. */
    private static final String STATE = "state";

    private PassageStateCodec() {
    }

    static byte[] encode(OpenPassage p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MAGIC);
            out.writeByte(VERSION);
            out.writeLong(p.lastSeenMs());
            out.writeInt(p.reads());
            byte[] alert = AlertJson.encodeAll(List.of(p.alert()), STATE);
            out.writeInt(alert.length);
            out.write(alert);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static OpenPassage decode(String key, byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            if (in.readByte() != MAGIC) {
                throw new IllegalArgumentException("not a Limes passage state: byte 0 is not 0x57");
            }
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("passage state version " + version + " is not known (1 is)");
            }
            long lastSeenMs = in.readLong();
            int reads = in.readInt();
            if (reads < 1) {
                throw new IllegalArgumentException("passage state of " + key + " has " + reads + " reads");
            }
            int length = in.readInt();
            if (length < 0 || length != in.available()) {
                throw new IllegalArgumentException("passage state alert_len " + length + " does not match the "
                        + in.available() + " bytes left");
            }
            byte[] json = new byte[length];
            in.readFully(json);
            var alerts = AlertJson.decodeAll(json);
            if (alerts.size() != 1) {
                throw new IllegalArgumentException("passage state of " + key + " holds " + alerts.size()
                        + " episodes, not 1");
            }
            return new OpenPassage(alerts.get(0), lastSeenMs, reads);
        } catch (EOFException e) {
            throw new IllegalArgumentException("passage state of " + key + " ends early", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("passage state of " + key + " cannot be read: " + e.getMessage(), e);
        }
    }
}
