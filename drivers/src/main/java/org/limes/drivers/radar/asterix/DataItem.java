package org.limes.drivers.radar.asterix;

/**
 * One line of a User Application Profile: the data item at a field reference number.
 *
 * @param frn    the field reference number, 1-based
 * @param id     the item's name as the specification writes it, e.g. {@code I048/040}
 * @param format how its length is found
 * @param codec  how it maps to reading values, or null for an item that is only sized
 *               and skipped (counted in {@code skipped_items})
 */
record DataItem(int frn, String id, ItemFormat format, ItemCodec codec) {

    boolean decoded() {
        return codec != null;
    }
}
