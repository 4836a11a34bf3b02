package org.limes.gateway.sink;

/**
 * A record that no retry can ever deliver to this destination (it cannot be read, cannot be
 * written in the destination's format, or is larger than the destination takes): a
 * {@link Delivery} reports it ({@link DeliveryFailed#setAside}) and the {@link SinkDrainer}
 * sets it aside ({@link org.limes.gateway.outbox.DestinationQueue#setAside}) and counts it
 * ({@code limes.dropped{reason}}) instead of retrying it, so the records behind it flow on.
 */
public final class Undeliverable extends Exception {

    private static final long serialVersionUID = 1L;

    private final String reason;

    /**
     * @param reason a short, stable word for meters ({@code undecodable}, {@code too_large}, …)
     * @param detail what exactly, for the log and the dead-letter file
     */
    public Undeliverable(String reason, String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
