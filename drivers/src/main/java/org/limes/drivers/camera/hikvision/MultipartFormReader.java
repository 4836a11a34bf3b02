package org.limes.drivers.camera.hikvision;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.limes.drivers.DecodeException;

/**
 * Splits a {@code multipart/form-data} body (RFC 7578 over RFC 2046) into its parts
 * without copying their contents, taking the boundary from the body's own first delimiter
 * line because a {@link org.limes.drivers.Frame} carries no HTTP headers.
 *
 * <pre>
 * body       := *(CR | LF | SP | HTAB) "--" boundary *(SP | HTAB) CRLF
 *               part *( CRLF "--" boundary *(SP | HTAB) CRLF part )
 *               CRLF "--" boundary "--" epilogue
 * part       := *(header CRLF) CRLF content
 * header     := name ":" value              (no folding; ASCII / ISO-8859-1)
 * boundary   := 1..70 of [0-9A-Za-z'()+_,-./:=? ], not ending in a space
 * </pre>
 *
 * <p>A bare LF is accepted wherever CRLF is (some embedded HTTP stacks send it). The line
 * break before a delimiter belongs to the delimiter, not to the part.
 *
 * <p>Worked example: the body {@code "--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B--\r\n"}
 * has boundary {@code B} and one part whose content is the two bytes {@code hi} at offset 33.
 *
 * <p>Limits, each a {@link DecodeException} at a byte offset: at most {@value #MAX_PARTS}
 * parts, {@value #MAX_HEADER_BYTES} bytes of headers per part, a closing delimiter
 * required. A preamble other than blank lines is not supported (HTTP clients do not send
 * one). Work is linear in the body size times the boundary length; nothing is copied but
 * the header text.
 *
 * <p>Stateless; safe to use from any number of threads.
 */
final class MultipartFormReader {

    static final int MAX_PARTS = 16;
    static final int MAX_HEADER_BYTES = 8192;
    static final int MAX_BOUNDARY_CHARS = 70;

    /**
     * One part: where its content lies in the body, and the headers that matter.
     *
     * @param number      1-based position in the body
     * @param offset      byte offset of the part's content in the body
     * @param length      content length in bytes
     * @param name        {@code name} of the Content-Disposition, or empty
     * @param filename    {@code filename} of the Content-Disposition, or empty
     * @param contentType the media type, lower case without parameters, or empty
     */
    record Part(int number, int offset, int length, String name, String filename, String contentType) {

        /** How an error message names this part. */
        String label() {
            String n = !name.isEmpty() ? name : filename;
            return "part " + number + (n.isEmpty() ? "" : " (" + n + ")");
        }
    }

    private MultipartFormReader() {
    }

    /** Whether the body, after blank lines, begins with {@code --}: the multipart form. */
    static boolean looksMultipart(byte[] body) {
        int i = skipBlank(body, 0);
        return i + 1 < body.length && body[i] == '-' && body[i + 1] == '-';
    }

    static List<Part> split(byte[] body) throws DecodeException {
        int start = skipBlank(body, 0);
        int lineEnd = indexOf(body, (byte) '\n', start);
        if (lineEnd < 0) {
            throw DecodeException.atOffset(start, "multipart body has no line break after its first delimiter");
        }
        int boundaryEnd = lineEnd;
        if (boundaryEnd > start && body[boundaryEnd - 1] == '\r') {
            boundaryEnd--;
        }
        while (boundaryEnd > start + 2 && (body[boundaryEnd - 1] == ' ' || body[boundaryEnd - 1] == '\t')) {
            boundaryEnd--;
        }
        String boundary = new String(body, start + 2, boundaryEnd - start - 2, StandardCharsets.ISO_8859_1);
        checkBoundary(boundary, start);
        byte[] delimiter = ("\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);

        List<Part> parts = new ArrayList<>();
        int partStart = lineEnd + 1;
        while (true) {
            int number = parts.size() + 1;
            if (number > MAX_PARTS) {
                throw DecodeException.atOffset(partStart, "more than " + MAX_PARTS + " parts");
            }
            int hit = indexOf(body, delimiter, partStart - 1);
            if (hit < 0) {
                throw DecodeException.atOffset(body.length, "part " + number
                        + " has no closing delimiter --" + boundary + " (the body ends inside it)");
            }
            int contentEnd = hit > partStart && body[hit - 1] == '\r' ? hit - 1 : hit;
            parts.add(part(body, number, partStart, Math.max(partStart, contentEnd)));
            int after = hit + delimiter.length;
            if (after + 1 < body.length && body[after] == '-' && body[after + 1] == '-') {
                return parts;
            }
            while (after < body.length && (body[after] == ' ' || body[after] == '\t')) {
                after++;
            }
            if (after < body.length && body[after] == '\r') {
                after++;
            }
            if (after >= body.length) {
                throw DecodeException.atOffset(after, "multipart body ends without the closing delimiter --"
                        + boundary + "--");
            }
            if (body[after] != '\n') {
                throw DecodeException.atOffset(after, "unexpected byte " + shown(body[after])
                        + " after the delimiter --" + boundary);
            }
            partStart = after + 1;
        }
    }

    private static Part part(byte[] body, int number, int from, int to) throws DecodeException {
        String name = "";
        String filename = "";
        String contentType = "";
        int line = from;
        while (true) {
            if (line - from > MAX_HEADER_BYTES) {
                throw DecodeException.atOffset(line, "part " + number + " has more than " + MAX_HEADER_BYTES
                        + " bytes of headers");
            }
            int nl = indexOf(body, (byte) '\n', line);
            if (nl < 0 || nl >= to) {
                throw DecodeException.atOffset(line, "part " + number + " has no blank line ending its headers");
            }
            int end = nl > line && body[nl - 1] == '\r' ? nl - 1 : nl;
            if (end == line) {
                return new Part(number, nl + 1, to - (nl + 1), name, filename, contentType);
            }
            String header = new String(body, line, end - line, StandardCharsets.ISO_8859_1);
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw DecodeException.atOffset(line, "part " + number + ": header line without a name and ':'");
            }
            String key = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            if (key.equals("content-type")) {
                int semi = value.indexOf(';');
                contentType = (semi < 0 ? value : value.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
            } else if (key.equals("content-disposition")) {
                name = parameter(value, "name");
                filename = parameter(value, "filename");
            }
            line = nl + 1;
        }
    }

    /** A parameter of a header value such as {@code form-data; name="anpr.xml"}, or empty. */
    static String parameter(String value, String wanted) {
        int i = value.indexOf(';');
        while (i >= 0 && i < value.length()) {
            i++;
            while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
                i++;
            }
            int eq = value.indexOf('=', i);
            if (eq < 0) {
                return "";
            }
            String key = value.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            int v = eq + 1;
            String result;
            int next;
            if (v < value.length() && value.charAt(v) == '"') {
                StringBuilder sb = new StringBuilder();
                int j = v + 1;
                while (j < value.length() && value.charAt(j) != '"') {
                    if (value.charAt(j) == '\\' && j + 1 < value.length()) {
                        j++;
                    }
                    sb.append(value.charAt(j));
                    j++;
                }
                result = sb.toString();
                next = value.indexOf(';', Math.min(j, value.length()));
            } else {
                next = value.indexOf(';', v);
                result = (next < 0 ? value.substring(v) : value.substring(v, next)).trim();
            }
            if (key.equals(wanted)) {
                return result;
            }
            i = next;
        }
        return "";
    }

    private static void checkBoundary(String boundary, int offset) throws DecodeException {
        if (boundary.isEmpty() || boundary.length() > MAX_BOUNDARY_CHARS || boundary.endsWith(" ")) {
            throw DecodeException.atOffset(offset, "multipart boundary must be 1.." + MAX_BOUNDARY_CHARS
                    + " characters not ending in a space, got " + boundary.length());
        }
        for (int i = 0; i < boundary.length(); i++) {
            char c = boundary.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                    || "'()+_,-./:=? ".indexOf(c) >= 0;
            if (!ok) {
                throw DecodeException.atOffset(offset + 2 + i, "multipart boundary has a character RFC 2046 does not allow: "
                        + shown((byte) c));
            }
        }
    }

    private static int skipBlank(byte[] body, int from) {
        int i = from;
        while (i < body.length && (body[i] == '\r' || body[i] == '\n' || body[i] == ' ' || body[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static int indexOf(byte[] body, byte b, int from) {
        for (int i = Math.max(0, from); i < body.length; i++) {
            if (body[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] body, byte[] needle, int from) {
        int last = body.length - needle.length;
        outer:
        for (int i = Math.max(0, from); i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (body[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static String shown(byte b) {
        int v = b & 0xff;
        return v >= 0x21 && v < 0x7f ? "'" + (char) v + "'" : String.format("0x%02x", v);
    }
}
