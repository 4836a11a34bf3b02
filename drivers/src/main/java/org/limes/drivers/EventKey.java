package org.limes.drivers;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * The store key of an event-like reading: two distinct events of one device that share
 * kind, tags and device time must not overwrite each other in the store, and a redelivery
 * of one event must overwrite itself.
 *
 * <p>Why: the store (InfluxDB, and QuestDB's {@code DEDUP UPSERT KEYS}) keys a point by
 * measurement, tags and timestamp. A periodic reading (a count per interval, a health
 * report) is rightly overwritten by a repeat of the same interval. An event (a plate read,
 * a radar plot without a track number) is not: two plate reads from one camera in the same
 * second are two rows. The identity must not be a tag (a plate or a UUID tag is unbounded
 * series cardinality), so it goes where InfluxDB's guidance for duplicate points puts it:
 * into the timestamp, below the precision the device's timestamp actually has.
 *
 * <pre>
 * driver   marks an event kind with the field event_precision_us = U (Long, 1..1 000 000):
 *          the precision of its device time in µs (Hikvision dateTime: 1 s → 1 000 000;
 *          "…:00.123Z" → 1 000; ASTERIX time of day, 1/128 s → 7 812)
 * store    timestamp = device time + offset µs, offset = h mod U,
 *          h = 64-bit hash of the reading's fields as written to that store (names, types,
 *          values, in name order), except picture_ref (set by the gateway from local state)
 * rules    see the reading's true device time: nothing here changes {@link Reading#deviceTime}
 * </pre>
 *
 * <p>So two events that differ in any field (plate, confidence, picture size, position)
 * get different offsets, except with probability 1/U per pair (10⁻⁶ for a second-precision
 * camera); a redelivery has the same fields and so the same offset; and the stored time
 * stays inside the device's own precision (a 1 s camera's reads keep their second). The
 * hash is taken over the fields as stored, after the gateway pseudonymised the plate for
 * that store, so it reveals nothing about a plate the store does not already hold. Tags
 * need not enter it: they are already part of the key. Offsets are whole microseconds
 * because QuestDB keeps microseconds (points of one series less than 1 µs apart collapse
 * there); U is capped at 1 s so a stored time never leaves the device's second.
 *
 * <p>Worked example: a Hikvision read at {@code 2026-11-26T06:00:00Z} with fields
 * {@code {confidence_pct=97.0, event_precision_us=1000000, picture_bytes=0, plate=QQ-111}}
 * is stored at {@code 06:00:00.595120Z}; the same read of {@code QQ-222} at
 * {@code 06:00:00.131758Z}; posting either again gives its own timestamp again.
 *
 * <p>Stateless and thread-safe.
 */
public final class EventKey {

    /** The field that marks an event kind and gives its device time's precision, in µs. */
    public static final String FIELD = "event_precision_us";
    /** Precision of a device time in whole seconds, and the largest accepted. */
    public static final long SECOND_US = 1_000_000;
    /** The gateway's picture reference: local state, so not part of an event's identity. */
    static final String PICTURE_REF = "picture_ref";

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private EventKey() {
    }

    /**
     * The reading marked as an event whose device time has the given precision.
     *
     * @throws IllegalArgumentException when the precision is not 1..1 000 000 µs
     */
    public static Reading mark(Reading r, long precisionUs) {
        if (precisionUs < 1 || precisionUs > SECOND_US) {
            throw new IllegalArgumentException(FIELD + " must be 1.." + SECOND_US + " µs, got " + precisionUs);
        }
        return r.withField(FIELD, precisionUs);
    }

    /**
     * The precision, in µs, of an ISO-8601 date-time as written: 1 s without a fraction of a
     * second (or without seconds), 10^(6−n) µs with n fraction digits, 1 µs from 6 digits on.
     */
    public static long precisionOf(String isoDateTime) {
        int t = isoDateTime.indexOf('T');
        int dot = t < 0 ? -1 : isoDateTime.indexOf('.', t);
        if (dot < 0) {
            return SECOND_US;
        }
        int digits = 0;
        for (int i = dot + 1; i < isoDateTime.length() && Character.isDigit(isoDateTime.charAt(i)); i++) {
            digits++;
        }
        long u = SECOND_US;
        for (int i = 0; i < digits && u > 1; i++) {
            u /= 10;
        }
        return u;
    }

    /**
     * The instant as ISO-8601 in UTC with as many fraction digits as the precision says
     * (none for 1 s, 3 for 1 000 µs, 6 for 1 µs, 9 when the instant has nanoseconds), so
     * that {@link #precisionOf} of the text gives the precision back: for encoders.
     *
     * @throws IllegalArgumentException when the precision is not a power of ten of 1..1 000 000
     *                                  µs, or the instant is finer than it
     */
    public static String isoTime(Instant t, long precisionUs) {
        int digits = 6;
        for (long u = precisionUs; u > 1; u /= 10) {
            if (u % 10 != 0) {
                digits = -1;
                break;
            }
            digits--;
        }
        if (digits < 0 || precisionUs < 1) {
            throw new IllegalArgumentException(FIELD + " must be a power of ten of 1.." + SECOND_US
                    + " µs to be written as a time, got " + precisionUs);
        }
        if (digits == 6 && t.getNano() % 1_000 != 0) {
            digits = 9;
        }
        long step = 1;
        for (int i = digits; i < 9; i++) {
            step *= 10;
        }
        if (t.getNano() % step != 0) {
            throw new IllegalArgumentException("device time " + t + " is finer than its " + FIELD + " " + precisionUs);
        }
        String whole = Instant.ofEpochSecond(t.getEpochSecond()).toString();
        if (digits == 0) {
            return whole;
        }
        String fraction = String.format(Locale.ROOT, "%09d", t.getNano()).substring(0, digits);
        return whole.substring(0, whole.length() - 1) + "." + fraction + "Z";
    }

    /**
     * The offset, in µs, of the reading's stored timestamp from its device time: 0 for a
     * reading that is not an event (no integer {@value #FIELD} in 1..1 000 000), else the
     * hash of its fields modulo the precision.
     */
    public static long offsetMicros(Reading r) {
        if (!(r.fields().get(FIELD) instanceof Long u) || u < 1 || u > SECOND_US) {
            return 0;
        }
        long h = FNV_OFFSET;
        for (Map.Entry<String, Object> f : r.fields().entrySet()) {
            if (f.getKey().equals(PICTURE_REF)) {
                continue;
            }
            h = mix(h, f.getKey().getBytes(StandardCharsets.UTF_8));
            Object v = f.getValue();
            if (v instanceof String s) {
                h = mix(mix(h, 's'), s.getBytes(StandardCharsets.UTF_8));
            } else if (v instanceof Long l) {
                h = mixLong(mix(h, 'i'), l);
            } else if (v instanceof Double d) {
                h = mixLong(mix(h, 'd'), Double.doubleToLongBits(d));
            } else {
                h = mix(mix(h, 'b'), (Boolean) v ? 1 : 0);
            }
            h = mix(h, 0);
        }
        return Long.remainderUnsigned(finish(h), u);
    }

    /** The timestamp the store keys the reading by: its device time plus {@link #offsetMicros}. */
    public static Instant storeTime(Reading r) {
        long offset = offsetMicros(r);
        return offset == 0 ? r.deviceTime() : r.deviceTime().plusNanos(offset * 1_000);
    }

    private static long mix(long h, byte[] bytes) {
        for (byte b : bytes) {
            h = mix(h, b & 0xff);
        }
        // The length ends the value, so "ab"+"c" and "a"+"bc" differ.
        return mixLong(h, bytes.length);
    }

    private static long mixLong(long h, long v) {
        for (int i = 0; i < 8; i++) {
            h = mix(h, (int) (v >>> (8 * i)) & 0xff);
        }
        return h;
    }

    private static long mix(long h, int octet) {
        return (h ^ octet) * FNV_PRIME;
    }

    /** SplitMix64's finaliser: spreads FNV's low bits, which the modulo keeps. */
    private static long finish(long h) {
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
