package org.limes.gateway.sink.centre.format;

import java.util.Map;

/**
 * A centre's {@code cap:} section — the fixed parts of its CAP 1.2 messages.
 *
 * @param sender         CAP {@code sender}: globally unique id of this gateway as an originator, no spaces,
 *                       commas, {@code <} or {@code &} (default {@code limes@<gateway name>}; in cluster mode
 *                       {@code limes@<cluster.crossing>})
 * @param status         {@code Actual} (default), {@code Exercise} or {@code Test}
 * @param restriction    CAP {@code restriction}: who may see the message (scope is always Restricted)
 * @param language       RFC 3066 language of the text (default {@code en-US})
 * @param senderName     human-readable originator (default {@code Limes gateway <gateway name>}; in
 *                       cluster mode the crossing's)
 * @param circleRadiusKm radius of the area circle around a device's location (default 0.1 km)
 */
public record CapFormatConfig(String sender, String status, String restriction, String language,
        String senderName, Double circleRadiusKm) {

    static final Map<String, String> STATUSES = Map.of("actual", "Actual", "exercise", "Exercise", "test", "Test");
    static final String DEFAULT_RESTRICTION = "Border-security centres only; not for public release";

    public CapFormatConfig {
        if (sender != null && !CapAlertFormat.legal(sender)) {
            throw new IllegalArgumentException("sender must be non-empty without spaces, commas, '<' or '&', got '"
                    + sender + "'");
        }
        if (status == null) {
            status = "Actual";
        } else if (STATUSES.containsKey(status.toLowerCase(java.util.Locale.ROOT))) {
            status = STATUSES.get(status.toLowerCase(java.util.Locale.ROOT));
        } else {
            throw new IllegalArgumentException("status must be one of [Actual, Exercise, Test], got '" + status + "'");
        }
        if (restriction == null) {
            restriction = DEFAULT_RESTRICTION;
        } else if (restriction.isBlank()) {
            throw new IllegalArgumentException("restriction must not be blank: scope Restricted requires it");
        }
        language = language == null ? "en-US" : language;
        if (!language.matches("[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")) {
            throw new IllegalArgumentException("language must be an RFC 3066 tag like en-US or ar-LY, got '"
                    + language + "'");
        }
        if (senderName != null && senderName.isBlank()) {
            throw new IllegalArgumentException("sender_name must not be blank");
        }
        circleRadiusKm = circleRadiusKm == null ? 0.1 : circleRadiusKm;
        if (!(circleRadiusKm >= 0 && circleRadiusKm <= 1000)) {
            throw new IllegalArgumentException("circle_radius_km must be 0..1000, got " + circleRadiusKm);
        }
    }

    public static CapFormatConfig defaults() {
        return new CapFormatConfig(null, null, null, null, null, null);
    }
}
