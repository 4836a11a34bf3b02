package org.limes.gateway.rules;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.limes.gateway.config.ConfigException;

/**
 * A watchlist of number plates, read from a text file, and the plate normalisation both
 * the list and the reads go through.
 *
 * <p>File: UTF-8, one plate per line, optionally followed by a comma and the reason it is
 * listed ({@code 5-123456,stolen vehicle}: everything after the first comma, trimmed);
 * {@code #} starts a comment, to the end of the line; blank lines are skipped. A plate
 * listed twice (the same after normalisation) keeps both reasons. At most
 * {@link #MAX_ENTRIES} plates and {@link #MAX_FILE_BYTES} bytes.
 *
 * <p>Normalisation ({@link #normalise}): upper case; spaces, other white space and dashes
 * (ASCII and Unicode) removed; Arabic-Indic digits (٠..٩, ۰..۹) as ASCII digits; with
 * confusable folding, {@code O}→{@code 0}, {@code I}→{@code 1}, {@code B}→{@code 8}, so
 * {@code "ab-1o2 3"} is {@code AB1O23}, folded {@code A81023}. Immutable.
 */
public final class Watchlist {

    static final int MAX_ENTRIES = 100_000;
    static final long MAX_FILE_BYTES = 16L << 20;
    static final int MAX_PLATE = 32;
    static final int MAX_REASON = 200;

    private final boolean fold;
    private final Map<String, String> reasons;

    Watchlist(boolean fold, Map<String, String> reasons) {
        this.fold = fold;
        this.reasons = Collections.unmodifiableMap(new LinkedHashMap<>(reasons));
    }

    /** Reads a list file; errors name the file and the line. */
    public static Watchlist read(Path file, boolean fold) {
        String name = file.toString();
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(name, "", "is larger than " + MAX_FILE_BYTES + " bytes", null);
            }
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(name, "", "is not UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException(name, "", "cannot be read: " + e, e);
        }
        Map<String, String> reasons = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            if (line.isBlank()) {
                continue;
            }
            String at = "line " + (i + 1);
            int comma = line.indexOf(',');
            String plate = comma < 0 ? line.trim() : line.substring(0, comma).trim();
            String reason = comma < 0 ? "" : line.substring(comma + 1).trim();
            String key = normalise(plate, fold);
            if (key.isEmpty()) {
                throw new ConfigException(name, at, "has no plate: '" + lines[i].trim() + "'", null);
            }
            if (key.length() > MAX_PLATE) {
                throw new ConfigException(name, at, "plate must be at most " + MAX_PLATE + " characters, got '"
                        + plate + "'", null);
            }
            if (reason.length() > MAX_REASON) {
                throw new ConfigException(name, at, "reason must be at most " + MAX_REASON + " characters", null);
            }
            for (int k = 0; k < line.length(); k++) {
                if (Character.isISOControl(line.charAt(k)) && line.charAt(k) != '\t') {
                    throw new ConfigException(name, at, "contains a control character (U+"
                            + String.format("%04X", (int) line.charAt(k)) + ")", null);
                }
            }
            String known = reasons.get(key);
            if (known == null) {
                if (reasons.size() == MAX_ENTRIES) {
                    throw new ConfigException(name, at, "is one plate too many: a list holds at most " + MAX_ENTRIES,
                            null);
                }
                reasons.put(key, reason);
            } else if (!reason.isEmpty() && !known.equals(reason)) {
                reasons.put(key, known.isEmpty() ? reason : known + "; " + reason);
            }
        }
        return new Watchlist(fold, reasons);
    }

    /** The plate as matched: see the class comment. */
    public static String normalise(String plate, boolean fold) {
        StringBuilder sb = new StringBuilder(plate.length());
        for (int i = 0; i < plate.length(); i++) {
            char c = plate.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '-'
                    || Character.getType(c) == Character.DASH_PUNCTUATION || c == '\u2212') {
                continue;
            }
            if (c >= '\u0660' && c <= '\u0669') {
                c = (char) ('0' + (c - '\u0660'));
            } else if (c >= '\u06F0' && c <= '\u06F9') {
                c = (char) ('0' + (c - '\u06F0'));
            } else {
                c = Character.toUpperCase(c);
            }
            if (fold) {
                c = switch (c) {
                    case 'O' -> '0';
                    case 'I' -> '1';
                    case 'B' -> '8';
                    default -> c;
                };
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** The reason a normalised plate is listed ("" when none was given), or null when it is not listed. */
    public String reason(String normalised) {
        return reasons.get(normalised);
    }

    public boolean folds() {
        return fold;
    }

    public int size() {
        return reasons.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Watchlist w && w.fold == fold && w.reasons.equals(reasons);
    }

    @Override
    public int hashCode() {
        return reasons.hashCode() * 31 + (fold ? 1 : 0);
    }

    @Override
    public String toString() {
        return "Watchlist[" + reasons.size() + " plates" + (fold ? ", folded" : "") + "]";
    }
}
