package org.limes.gateway.sink.centre.format;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertState;

/**
 * {@code format: cap} — an alert transition as an OASIS Common Alerting Protocol 1.2 message.
 *
 * <pre>
 * element                  raised                               cleared
 * identifier               event_id, see {@link #identifier}     event_id of the clear
 * sender                   cap.sender (limes@GATEWAY)           same
 * sent                     raised_at, to the second, -00:00     at (the clear's time)
 * status                   cap.status (Actual)                  same
 * msgType                  Alert                                Update
 * scope / restriction      Restricted / cap.restriction         same
 * references               —                                    "sender,identifier,sent" of the raise
 * info/language            cap.language (en-US)                 same
 * info/category            Security                             Security
 * info/event               the rule id                          same
 * info/responseType        Monitor                              AllClear
 * info/urgency             by severity (table below)            Past
 * info/severity            by severity                          same as the raise
 * info/certainty           Observed                             Observed
 * info/onset               raised_at                            raised_at
 * info/senderName          cap.sender_name                      same
 * info/headline            "queue-surge raised: cnt-03 at ras-ajdir"
 * info/description         reading, value and level in words
 * info/parameter           event_id, alert_id, rule, state, site, device, kind, field, value,
 *                          threshold, gateway, then every tag
 * info/area/areaDesc       "ras-ajdir, device cnt-03"
 * info/area/circle         "lat,lon radius_km" when the alert carries lat/lon tags
 * </pre>
 *
 * Severity mapping: {@code critical} → Immediate / Severe; {@code warning} → Expected /
 * Moderate; {@code info} → Future / Minor; anything else → Unknown / Unknown.
 *
 * <p>A clear is an {@code Update} with responseType {@code AllClear}, not a {@code Cancel}: in
 * CAP, Cancel withdraws a message that should not have been sent, while an episode that has
 * ended is new information about a real event. Because every id is derived from the alert
 * (never from a clock), the clear can reference the raise it ends, and a redelivered message
 * is byte-for-byte the message first sent.
 *
 * <p>Worked example: the raise of {@code ras-ajdir-gw/queue-surge/cnt-03/1795674600123} at Ras Ajdir gives
 * {@code <identifier>ras-ajdir-gw/queue-surge/cnt-03/1795674600123:raised</identifier>},
 * {@code <sent>2026-11-26T06:30:00-00:00</sent>}, {@code <msgType>Alert</msgType>}; its clear
 * gives {@code <msgType>Update</msgType>} and
 * {@code <references>limes@ras-ajdir-gw,ras-ajdir-gw/queue-surge/cnt-03/1795674600123:raised,2026-11-26T06:30:00-00:00</references>}.
 *
 * <p>Immutable and thread-safe.
 */
final class CapAlertFormat implements AlertFormat {

    static final String NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2";
    /**
     * CAP 1.2 §3.3.2: dateTime with an explicit offset and no fractional seconds; no "Z" —
     * the spec writes UTC as {@code -00:00}. Times are given in UTC.
     */
    static final DateTimeFormatter SENT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'-00:00'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();

    private final String gateway;
    private final CapFormatConfig config;
    private final String sender;
    private final String senderName;

    CapAlertFormat(String gateway, CapFormatConfig config) {
        this.gateway = gateway;
        this.config = config == null ? CapFormatConfig.defaults() : config;
        this.sender = this.config.sender() == null ? "limes@" + gateway : this.config.sender();
        this.senderName = this.config.senderName() == null ? "Limes gateway " + gateway : this.config.senderName();
        if (!legal(sender)) {
            throw new IllegalArgumentException("cap.sender must be without spaces, commas, '<' or '&', got '"
                    + sender + "'");
        }
    }

    @Override
    public String name() {
        return "cap";
    }

    @Override
    public String contentType() {
        return "application/cap+xml";
    }

    /** True when {@code s} is a legal CAP identifier or sender: non-empty, no whitespace, comma, {@code <} or {@code &}. */
    static boolean legal(String s) {
        return s != null && !s.isEmpty() && s.codePoints().noneMatch(c -> Character.isWhitespace(c)
                || Character.isISOControl(c) || c == ',' || c == '<' || c == '&');
    }

    /**
     * A CAP identifier for an event id: letters, digits and {@code . _ : / @ -} are kept, every
     * other character becomes {@code %XX} per UTF-8 byte (so {@code %} itself too). The mapping
     * is one-to-one, so distinct transitions never share an identifier.
     */
    static String identifier(String eventId) {
        StringBuilder sb = new StringBuilder(eventId.length() + 8);
        for (byte b : eventId.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || ".-_:/@".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    static String sent(Instant t) {
        return SENT.format(t);
    }

    /** Built from the alert alone (and this format's identity): the JSON's {@code gateway} is not read. */
    @Override
    public byte[] encode(Alert a, byte[] json) {
        return encode(a);
    }

    byte[] encode(Alert a) {
        boolean raised = a.state() == AlertState.RAISED;
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        try {
            XMLStreamWriter w = XML.createXMLStreamWriter(out, "UTF-8");
            w.writeStartDocument("UTF-8", "1.0");
            w.writeStartElement("alert");
            w.writeDefaultNamespace(NAMESPACE);
            text(w, "identifier", identifier(a.eventId()));
            text(w, "sender", sender);
            text(w, "sent", sent(raised ? a.raisedAt() : a.at()));
            text(w, "status", config.status());
            text(w, "msgType", raised ? "Alert" : "Update");
            text(w, "scope", "Restricted");
            text(w, "restriction", config.restriction());
            if (!raised) {
                text(w, "references", sender + "," + identifier(a.alertId() + ":" + AlertState.RAISED.label()) + ","
                        + sent(a.raisedAt()));
            }
            w.writeStartElement("info");
            text(w, "language", config.language());
            text(w, "category", "Security");
            text(w, "event", a.rule());
            text(w, "responseType", raised ? "Monitor" : "AllClear");
            String[] usc = urgencySeverity(a.severity());
            text(w, "urgency", raised ? usc[0] : "Past");
            text(w, "severity", usc[1]);
            text(w, "certainty", "Observed");
            text(w, "onset", sent(a.raisedAt()));
            text(w, "senderName", senderName);
            text(w, "headline", a.rule() + " " + a.state().label() + ": " + a.device() + " at " + a.site());
            text(w, "description", description(a));
            for (Map.Entry<String, String> p : parameters(a).entrySet()) {
                w.writeStartElement("parameter");
                text(w, "valueName", p.getKey());
                text(w, "value", p.getValue());
                w.writeEndElement();
            }
            w.writeStartElement("area");
            text(w, "areaDesc", a.site() + ", device " + a.device());
            String circle = circle(a.tags(), config.circleRadiusKm());
            if (circle != null) {
                text(w, "circle", circle);
            }
            w.writeEndElement();
            w.writeEndElement();
            w.writeEndElement();
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("alert " + a.eventId() + " cannot be written as CAP", e);
        }
        return out.toByteArray();
    }

    /** CAP urgency and severity for one of our severities (certainty is always Observed: a device measured it). */
    static String[] urgencySeverity(String severity) {
        return switch (severity == null ? "" : severity) {
            case "critical" -> new String[] {"Immediate", "Severe"};
            case "warning" -> new String[] {"Expected", "Moderate"};
            case "info" -> new String[] {"Future", "Minor"};
            default -> new String[] {"Unknown", "Unknown"};
        };
    }

    private Map<String, String> parameters(Alert a) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("event_id", a.eventId());
        p.put("alert_id", a.alertId());
        p.put("rule", a.rule());
        p.put("state", a.state().label());
        p.put("site", a.site());
        p.put("device", a.device());
        p.put("kind", a.kind());
        p.put("field", a.field());
        p.put("value", number(a.value()));
        p.put("threshold", number(a.threshold()));
        p.put("gateway", gateway);
        a.tags().forEach((k, v) -> p.putIfAbsent(k, v));
        return p;
    }

    private static String description(Alert a) {
        if (a.state() == AlertState.RAISED) {
            return a.kind() + " " + a.field() + " of " + a.device() + " at " + a.site() + " rose to "
                    + number(a.value()) + ", above the raise level " + number(a.threshold()) + ".";
        }
        return a.kind() + " " + a.field() + " of " + a.device() + " at " + a.site() + " fell to "
                + number(a.value()) + ", below the clear level " + number(a.threshold()) + "; the alert raised at "
                + sent(a.raisedAt()) + " has ended.";
    }

    /** {@code "lat,lon radius"} in WGS 84 and kilometres, or null when the tags hold no valid location. */
    static String circle(Map<String, String> tags, double radiusKm) {
        try {
            double lat = Double.parseDouble(tags.getOrDefault("lat", ""));
            double lon = Double.parseDouble(tags.getOrDefault("lon", ""));
            if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
                return null;
            }
            return number(lat) + "," + number(lon) + " " + number(radiusKm);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static void text(XMLStreamWriter w, String element, String value) throws XMLStreamException {
        w.writeStartElement(element);
        w.writeCharacters(xmlText(value));
        w.writeEndElement();
    }

    /** {@code s} with every character XML 1.0 cannot carry replaced by U+FFFD, so a device id never breaks a document. */
    static String xmlText(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c == 0x9 || c == 0xA || c == 0xD || c >= 0x20 && c <= 0xD7FF || c >= 0xE000 && c <= 0xFFFD
                    || Character.isSurrogate(c) && validSurrogate(s, i);
            if (!ok && sb == null) {
                sb = new StringBuilder(s.substring(0, i));
            }
            if (sb != null) {
                sb.append(ok ? c : '\uFFFD');
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
