package org.limes.gateway.live;

/**
 * What the status page shows for a device, worst first.
 *
 * <ul>
 * <li>{@code FAULTY}: its clock is beyond the time-integrity limits (its readings are
 * quarantined), or its latest {@code device_health} reading reports a fault;
 * <li>{@code SILENT}: nothing heard for longer than its expected interval (the deadman
 * interval from the inventory), or never heard since the gateway started that long ago;
 * <li>{@code PENDING}: not heard yet, and its expected interval has not passed since start
 * (or it has none);
 * <li>{@code OK}: heard within its expected interval (or heard at all, when it has none).
 * </ul>
 */
public enum DeviceState {
    FAULTY, SILENT, PENDING, OK;

    /** The lower-case name used in JSON and on the page. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
