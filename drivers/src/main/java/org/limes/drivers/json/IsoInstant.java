package org.limes.drivers.json;

import java.time.Instant;

/**
 * A fast path for the common form of an ISO-8601 instant with offset,
 * {@code yyyy-MM-ddTHH:mm:ss[.f…](Z|±hh:mm)}, read straight from a frame's bytes (or a parser's characters)
 * without the {@code String} and the {@code DateTimeFormatter} machinery of
 * {@code OffsetDateTime.parse}.
 *
 * <p>It accepts only text that {@code DateTimeFormatter.ISO_OFFSET_DATE_TIME} accepts too and
 * gives the same instant; for anything else (lower-case letters, offsets with seconds or
 * beyond ±17:59, {@code -00:00}, an invalid date, no seconds, …) it returns null and the
 * caller parses the text the slow way, which keeps the error messages. Stateless and
 * thread-safe.
 */
public final class IsoInstant {

    private IsoInstant() {
    }

    /** The instant {@code c[off, off + len)} denotes, or null when it is not in the common form. */
    public static Instant parse(char[] c, int off, int len) {
        // yyyy-MM-ddTHH:mm:ss = 19 chars, then optional fraction, then Z or ±hh:mm.
        if (len < 20 || len > 35) {
            return null;
        }
        byte[] ascii = new byte[len];
        for (int i = 0; i < len; i++) {
            char ch = c[off + i];
            if (ch > 0x7f) {
                return null;
            }
            ascii[i] = (byte) ch;
        }
        return parse(ascii, 0, len);
    }

    /**
     * The instant the ASCII text {@code b[off, off + len)} denotes, or null when it is not in
     * the common form (a byte beyond ASCII is never in it).
     */
    public static Instant parse(byte[] c, int off, int len) {
        // yyyy-MM-ddTHH:mm:ss = 19 chars, then optional fraction, then Z or ±hh:mm.
        if (len < 20 || len > 35) {
            return null;
        }
        int year = digits(c, off, 4);
        int month = digits(c, off + 5, 2);
        int day = digits(c, off + 8, 2);
        int hour = digits(c, off + 11, 2);
        int minute = digits(c, off + 14, 2);
        int second = digits(c, off + 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59
                || c[off + 4] != '-' || c[off + 7] != '-' || c[off + 10] != 'T' || c[off + 13] != ':'
                || c[off + 16] != ':') {
            return null;
        }
        int at = off + 19;
        int end = off + len;
        int nanos = 0;
        if (c[at] == '.') {
            at++;
            int digits = 0;
            while (at < end && c[at] >= '0' && c[at] <= '9') {
                if (++digits > 9) {
                    return null;
                }
                nanos = nanos * 10 + (c[at] - '0');
                at++;
            }
            if (digits == 0) {
                return null;
            }
            for (int k = digits; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (end - at == 1 && c[at] == 'Z') {
            offsetSeconds = 0;
        } else if (end - at == 6 && (c[at] == '+' || c[at] == '-') && c[at + 3] == ':') {
            int oh = digits(c, at + 1, 2);
            int om = digits(c, at + 4, 2);
            if (oh < 0 || oh > 17 || om < 0 || om > 59 || (c[at] == '-' && oh == 0 && om == 0)) {
                return null;
            }
            offsetSeconds = (oh * 3600 + om * 60) * (c[at] == '-' ? -1 : 1);
        } else {
            return null;
        }
        long epochSecond = epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    /** The value of {@code n} decimal digits at {@code at}, or -1. */
    private static int digits(byte[] c, int at, int n) {
        int v = 0;
        for (int i = at; i < at + n; i++) {
            byte d = c[i];
            if (d < '0' || d > '9') {
                return -1;
            }
            v = v * 10 + (d - '0');
        }
        return v;
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (as {@code LocalDate.toEpochDay}). */
    private static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }
}
