package org.limes.drivers;

import java.util.Objects;

/**
 * A binary part of a frame that belongs to one of its readings but is not a measured value:
 * an ANPR camera's plate and scene pictures. Attachments never go to the time-series store;
 * the gateway keeps them in a bounded local directory or drops them, per its configuration.
 *
 * <p>An attachment is a span of the frame's payload, not a copy: {@code offset} and
 * {@code length} locate its bytes in {@link Frame#payload()}.
 *
 * @param reading     the index, in {@link DecodeResult#readings()}, of the reading it belongs to
 * @param name        the part's file name as the device sent it, reduced to {@code [A-Za-z0-9._-]}
 *                    (safe as a file name), never empty
 * @param contentType the part's media type, e.g. {@code image/jpeg}
 * @param offset      where its bytes start in the frame's payload
 * @param length      how many bytes it has
 */
public record Attachment(int reading, String name, String contentType, int offset, int length) {

    /** The longest name kept; longer names are cut. */
    public static final int MAX_NAME_CHARS = 64;

    public Attachment {
        if (reading < 0) {
            throw new IllegalArgumentException("reading must be 0 or above, got " + reading);
        }
        name = safeName(Objects.requireNonNull(name, "name"));
        Objects.requireNonNull(contentType, "contentType");
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be 0 or above, got " + offset + ", " + length);
        }
    }

    /**
     * {@code name} reduced to a safe file name: characters outside {@code [A-Za-z0-9._-]}
     * become {@code _}, leading dots are dropped (no hidden files, no {@code ..}), at most
     * {@value #MAX_NAME_CHARS} characters; {@code part} when nothing is left.
     */
    public static String safeName(String name) {
        StringBuilder b = new StringBuilder(Math.min(name.length(), MAX_NAME_CHARS));
        for (int i = 0; i < name.length() && b.length() < MAX_NAME_CHARS; i++) {
            char c = name.charAt(i);
            boolean safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == '-';
            if (c == '.' && b.length() == 0) {
                continue;
            }
            b.append(safe ? c : '_');
        }
        return b.length() == 0 ? "part" : b.toString();
    }
}
