package org.limes.gateway.sink.centre.format;

import org.limes.gateway.rules.Alert;

/**
 * How one centre receives an alert transition: the bytes of one message and their media
 * type. The set is closed and chosen by {@code format:} in the centre's configuration
 * ({@code json}, {@code cap}, {@code cot}); see {@link #create}.
 *
 * <p>The outbox always holds the canonical JSON ({@code AlertJson}); a sink decodes it and
 * calls {@link #encode} at send time with the alert and the JSON it was read from, so changing a
 * centre's format never rewrites queued data. {@link #encode} must be deterministic — the same
 * transition gives the same bytes on every delivery, which is what lets a centre recognise a
 * redelivery — so it must not read the clock or any other state that changes. Nor may it depend
 * on which instance sends it: in cluster mode any instance of the crossing may relay (or, after a
 * failover, relay again) any transition, so a format's identity is the crossing's
 * ({@code cluster.crossing}; the gateway's name in single mode), and the instance that emitted a
 * transition is only what its JSON says ({@code gateway}).
 *
 * <p>Threading: implementations are immutable and thread-safe. They must not do I/O, log,
 * or throw for any alert the rules can produce.
 */
public interface AlertFormat {

    /** The configuration name: {@code json}, {@code cap} or {@code cot}. */
    String name();

    /** The media type of {@link #encode}'s bytes, e.g. {@code application/json}. */
    String contentType();

    /**
     * One message for one transition.
     *
     * @param alert the transition, as read from {@code json}
     * @param json  its canonical JSON, as the outbox holds it (the {@code json} format sends it as it is)
     */
    byte[] encode(Alert alert, byte[] json);

    /**
     * The format a centre asked for.
     *
     * @param format  {@code json}, {@code cap} or {@code cot} (validated by the centre's config)
     * @param gateway the name the centres know this crossing by, carried in every message (CAP sender,
     *                CoT uid, SAPIENT node id): the gateway's name, or in cluster mode {@code cluster.crossing}
     *                — never an instance's name
     * @param cap     CAP settings (used with {@code cap})
     * @param cot     Cursor on Target settings (used with {@code cot})
     */
    static AlertFormat create(String format, String gateway, CapFormatConfig cap, CotFormatConfig cot) {
        return switch (format) {
            case "json" -> new JsonAlertFormat();
            case "cap" -> new CapAlertFormat(gateway, cap);
            case "cot" -> new CotAlertFormat(gateway, cot);
            case "sapient" -> new SapientAlertFormat(gateway);
            default -> throw new IllegalArgumentException("format must be one of [cap, cot, json, sapient], got '" + format
                    + "'");
        };
    }
}
