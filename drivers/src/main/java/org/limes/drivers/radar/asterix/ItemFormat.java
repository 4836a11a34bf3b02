package org.limes.drivers.radar.asterix;

import org.limes.drivers.DecodeException;

/**
 * How the length of an ASTERIX data item (or of a compound item's subfield) is found,
 * one case per item type of ASTERIX Part 1.
 *
 * <pre>
 * type         layout                                                  length
 * -----------  ------------------------------------------------------  ---------------------------
 * fixed        n octets                                                n
 * extended     first part, then further parts while the LSB (FX) of     first + k * step
 *              a part's last octet is 1
 * repetitive   REP (1 octet), then REP elements of m octets            1 + REP * m
 * explicit     LEN (1 octet, counting itself), then LEN - 1 octets     LEN (at least 1)
 * compound     primary subfield: octets of 7 presence bits + FX, then   primary + present subfields
 *              the present subfields in bit order, each of its own type
 * </pre>
 *
 * <p>Example: the extended item {@code 0x41 0x80} (I048/170 with one extension) has
 * length 2: {@code 0x41} ends in FX = 1, {@code 0x80} in FX = 0.
 *
 * <p>Sizing only reads the octets it needs, bounded by the end of the data block: it
 * never allocates, and a length that runs past the end is a {@link DecodeException} at
 * the item's first octet. Immutable and thread-safe.
 */
sealed interface ItemFormat {

    /**
     * The length in octets of the item starting at {@code at}.
     *
     * @param end the first octet after the data block, which the item must not pass
     * @throws DecodeException located at {@code at}, when the item cannot be sized
     */
    int size(byte[] b, int at, int end) throws DecodeException;

    /** The shortest valid content of this format, for the encoder's placeholders. */
    byte[] placeholder();

    /** A fixed number of octets. */
    record Fixed(int octets) implements ItemFormat {
        @Override
        public int size(byte[] b, int at, int end) throws DecodeException {
            return need(at, octets, end);
        }

        @Override
        public byte[] placeholder() {
            return new byte[octets];
        }
    }

    /** A first part of {@code first} octets and extensions of {@code step} octets, chained by FX. */
    record Extended(int first, int step) implements ItemFormat {
        @Override
        public int size(byte[] b, int at, int end) throws DecodeException {
            int length = need(at, first, end);
            while ((b[at + length - 1] & 1) != 0) {
                length = need(at, length + step, end);
            }
            return length;
        }

        @Override
        public byte[] placeholder() {
            return new byte[first];
        }
    }

    /** A one-octet repetition factor and that many elements of {@code element} octets. */
    record Repetitive(int element) implements ItemFormat {
        @Override
        public int size(byte[] b, int at, int end) throws DecodeException {
            need(at, 1, end);
            int rep = b[at] & 0xff;
            int length = 1 + rep * element;
            if (at + length > end) {
                throw DecodeException.atOffset(at, "REP " + rep + " × " + element + " octets runs past the end of the"
                        + " data block (" + (end - at - 1) + " octets left)");
            }
            return length;
        }

        @Override
        public byte[] placeholder() {
            return new byte[] {0};
        }
    }

    /** A one-octet length that counts itself, then the content. */
    record Explicit() implements ItemFormat {
        @Override
        public int size(byte[] b, int at, int end) throws DecodeException {
            need(at, 1, end);
            int length = b[at] & 0xff;
            if (length == 0) {
                throw DecodeException.atOffset(at, "explicit length 0 (the length octet counts itself, so at least 1)");
            }
            return need(at, length, end);
        }

        @Override
        public byte[] placeholder() {
            return new byte[] {1};
        }
    }

    /**
     * A primary subfield of presence bits (7 per octet, FX in the LSB) followed by the
     * present subfields; {@code subfields[i]} is the format of presence bit i (0 = MSB of
     * the first octet), null where the edition defines none.
     */
    record Compound(ItemFormat... subfields) implements ItemFormat {
        @Override
        public int size(byte[] b, int at, int end) throws DecodeException {
            int maxPrimary = (subfields.length + 6) / 7;
            int primary = 0;
            do {
                if (primary == maxPrimary) {
                    throw DecodeException.atOffset(at, "primary subfield longer than the " + maxPrimary
                            + " octets this item defines");
                }
                need(at, ++primary, end);
            } while ((b[at + primary - 1] & 1) != 0);
            int length = primary;
            for (int octet = 0; octet < primary; octet++) {
                int bits = b[at + octet] & 0xff;
                for (int bit = 0; bit < 7; bit++) {
                    if ((bits & (0x80 >>> bit)) == 0) {
                        continue;
                    }
                    int slot = octet * 7 + bit;
                    ItemFormat sub = slot < subfields.length ? subfields[slot] : null;
                    if (sub == null) {
                        throw DecodeException.atOffset(at, "subfield " + (slot + 1) + " is not defined, so the item"
                                + " cannot be sized");
                    }
                    need(at, length + 1, end);
                    length += sub.size(b, at + length, end);
                }
            }
            return length;
        }

        @Override
        public byte[] placeholder() {
            return new byte[] {0};
        }
    }

    /** Checks that {@code length} octets from {@code at} lie before {@code end}; returns the length. */
    private static int need(int at, int length, int end) throws DecodeException {
        if (at + length > end) {
            throw DecodeException.atOffset(at, "needs " + length + " octets, " + (end - at)
                    + " left in the data block");
        }
        return length;
    }
}
