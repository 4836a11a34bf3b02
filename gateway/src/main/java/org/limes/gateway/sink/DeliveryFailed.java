package org.limes.gateway.sink;

/**
 * How a {@link Delivery} stopped short of the end of its batch: after
 * {@link #acknowledged()} records the destination took, either with a failure that a retry
 * may put right (the destination down, refusing, timing out), or with the next record one
 * that no retry can deliver ({@link #undeliverable()} set), which the drainer sets aside.
 */
public final class DeliveryFailed extends Exception {

    private static final long serialVersionUID = 1L;

    private final int acknowledged;
    private final String errorType;
    private final Undeliverable undeliverable;
    private final long retryAfterMs;

    private DeliveryFailed(int acknowledged, String errorType, String message, Throwable cause,
            Undeliverable undeliverable, long retryAfterMs) {
        super(message, cause);
        this.acknowledged = acknowledged;
        this.errorType = errorType;
        this.undeliverable = undeliverable;
        this.retryAfterMs = retryAfterMs;
    }

    /**
     * A failure a retry may put right, after {@code acknowledged} records were taken.
     *
     * @param errorType the {@code error_type} of {@code limes.errors} ({@code unavailable},
     *                  {@code connect}, {@code http_503}, …); null counts no error (the sink is stopping)
     */
    public static DeliveryFailed retry(int acknowledged, String errorType, String message, Throwable cause) {
        return new DeliveryFailed(acknowledged, errorType, message, cause, null, 0);
    }

    /**
     * The record after the first {@code acknowledged} can never be delivered: set it aside.
     *
     * @param errorType counted in {@code limes.errors} when the destination refused it
     *                  ({@code rejected}); null when it never got there (it cannot be encoded)
     */
    public static DeliveryFailed setAside(int acknowledged, String errorType, Undeliverable why) {
        return new DeliveryFailed(acknowledged, errorType, why.reason() + ": " + why.getMessage(), why, why, 0);
    }

    /** The same failure, waiting at least {@code ms} before the retry (an HTTP Retry-After). */
    public DeliveryFailed retryAfter(long ms) {
        return new DeliveryFailed(acknowledged, errorType, getMessage(), getCause(), undeliverable, ms);
    }

    /** The same failure, seen {@code earlier} records further into the batch. */
    public DeliveryFailed after(int earlier) {
        return new DeliveryFailed(earlier + acknowledged, errorType, getMessage(), getCause(), undeliverable,
                retryAfterMs);
    }

    public int acknowledged() {
        return acknowledged;
    }

    public String errorType() {
        return errorType;
    }

    /** Why the next record can never be delivered; null when the failure is one to retry. */
    public Undeliverable undeliverable() {
        return undeliverable;
    }

    public long retryAfterMs() {
        return retryAfterMs;
    }
}
