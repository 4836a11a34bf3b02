package org.limes.drivers.radar.asterix;

import java.util.Arrays;

/**
 * A category's User Application Profile: which data item each FSPEC bit (field
 * reference number) stands for, in the order the items follow the FSPEC.
 *
 * <p>Immutable; one instance per category, shared by every thread.
 *
 * @param category the ASTERIX category number
 * @param edition  the edition of the category's specification the table follows
 * @param items    indexed by FRN - 1; null for a spare FRN
 */
record Uap(int category, String edition, DataItem[] items) {

    Uap {
        items = items.clone();
        for (int i = 0; i < items.length; i++) {
            if (items[i] != null && items[i].frn() != i + 1) {
                throw new IllegalArgumentException(items[i].id() + " listed at FRN " + (i + 1) + " but says FRN "
                        + items[i].frn());
            }
        }
    }

    /** The item at {@code frn}, or null when the FRN is spare or beyond the table. */
    DataItem item(int frn) {
        return frn >= 1 && frn <= items.length ? items[frn - 1] : null;
    }

    /** The number of FSPEC octets needed to flag every FRN of this profile. */
    int maxFspecOctets() {
        return (items.length + 6) / 7;
    }

    /** The category as ASTERIX writes it: three digits, e.g. {@code 048}. */
    String label() {
        return String.format("%03d", category);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Uap u && u.category == category && u.edition.equals(edition)
                && Arrays.equals(u.items, items);
    }

    @Override
    public int hashCode() {
        return category * 31 + Arrays.hashCode(items);
    }

    @Override
    public String toString() {
        return "Uap[CAT" + label() + " edition " + edition + "]";
    }
}
