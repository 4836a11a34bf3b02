package org.limes.gateway.sink.centre.format;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertState;

/**
 * {@code format: cot} — an alert transition as a Cursor on Target 2.0 event (MITRE CoT base
 * event schema), for TAK-style servers.
 *
 * <pre>
 * event@version   2.0
 * event@uid       limes:GATEWAY:ALERT_ID — the same for the raise and the clear, so the clear
 *                 updates the object the raise created; GATEWAY is the crossing's name for its
 *                 centres ({@link AlertFormat#create}), whichever instance relays it
 * event@type      cot.types[severity]: critical b-a-o-c, warning and info b-m-p-s-m
 * event@time      the transition's device time (xs:dateTime, UTC, milliseconds)
 * event@start     the same
 * event@stale     raised: time + cot.stale_seconds (86400); cleared: time + 60 s, after
 *                 which displays drop the object
 * event@how       cot.how (h-e: the location is the device's surveyed position)
 * point@lat, lon  the alert's lat/lon tags (WGS 84); 0, 0 when it has none
 * point@hae       9999999.0 (height unknown)
 * point@ce, le    9999999.0 (errors unknown: the inventory gives no accuracy)
 * detail/contact@callsign   "RULE DEVICE"
 * detail/remarks            headline in words
 * detail/limes              event_id, alert_id, state, severity, rule, site, device, kind,
 *                           field, value, threshold, gateway (a Limes sub-schema; CoT
 *                           readers ignore detail elements they do not know)
 * </pre>
 *
 * Worked example: the raise of {@code ras-ajdir-gw/queue-surge/cnt-03/1795674600123} (warning, at
 * 32.8843, 11.5563) is {@code <event version="2.0" uid="limes:ras-ajdir-gw:ras-ajdir-gw/queue-surge/cnt-03/1795674600123"
 * type="b-m-p-s-m" time="2026-11-26T06:30:00.123Z" start="2026-11-26T06:30:00.123Z"
 * stale="2026-11-27T06:30:00.123Z" how="h-e"><point lat="32.8843" lon="11.5563" hae="9999999.0"
 * ce="9999999.0" le="9999999.0"/><detail>…</detail></event>}.
 *
 * <p>No XML declaration is written: events are concatenated on a TCP stream, where a
 * declaration in the middle would be malformed. Immutable and thread-safe.
 */
final class CotAlertFormat implements AlertFormat {

    static final String UNKNOWN = "9999999.0";
    static final Duration CLEARED_STALE = Duration.ofSeconds(60);
    private static final DateTimeFormatter TIME = new java.time.format.DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").toFormatter(java.util.Locale.ROOT)
            .withZone(java.time.ZoneOffset.UTC);
    private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();

    private final String gateway;
    private final CotFormatConfig config;

    CotAlertFormat(String gateway, CotFormatConfig config) {
        this.gateway = gateway;
        this.config = config == null ? CotFormatConfig.defaults() : config;
    }

    @Override
    public String name() {
        return "cot";
    }

    @Override
    public String contentType() {
        return "application/xml";
    }

    static String time(Instant t) {
        return TIME.format(t);
    }

    /** Built from the alert alone (and this format's identity): the JSON's {@code gateway} is not read. */
    @Override
    public byte[] encode(Alert a, byte[] json) {
        return encode(a);
    }

    byte[] encode(Alert a) {
        boolean raised = a.state() == AlertState.RAISED;
        Instant stale = raised ? a.at().plusSeconds(config.staleSeconds()) : a.at().plus(CLEARED_STALE);
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try {
            XMLStreamWriter w = XML.createXMLStreamWriter(out, "UTF-8");
            w.writeStartElement("event");
            attr(w, "version", "2.0");
            attr(w, "uid", "limes:" + gateway + ":" + a.alertId());
            attr(w, "type", config.types().getOrDefault(a.severity(), config.types().get("warning")));
            attr(w, "time", time(a.at()));
            attr(w, "start", time(a.at()));
            attr(w, "stale", time(stale));
            attr(w, "how", config.how());
            w.writeEmptyElement("point");
            String[] latLon = latLon(a);
            attr(w, "lat", latLon[0]);
            attr(w, "lon", latLon[1]);
            attr(w, "hae", UNKNOWN);
            attr(w, "ce", UNKNOWN);
            attr(w, "le", UNKNOWN);
            w.writeStartElement("detail");
            w.writeEmptyElement("contact");
            attr(w, "callsign", a.rule() + " " + a.device());
            w.writeStartElement("remarks");
            w.writeCharacters(CapAlertFormat.xmlText(a.rule() + " " + a.state().label() + ": " + a.device() + " at "
                    + a.site() + ", " + a.field() + " " + CapAlertFormat.number(a.value()) + (raised ? " above "
                    : " below ") + CapAlertFormat.number(a.threshold())));
            w.writeEndElement();
            w.writeEmptyElement("limes");
            attr(w, "event_id", a.eventId());
            attr(w, "alert_id", a.alertId());
            attr(w, "state", a.state().label());
            attr(w, "severity", a.severity());
            attr(w, "rule", a.rule());
            attr(w, "site", a.site());
            attr(w, "device", a.device());
            attr(w, "kind", a.kind());
            attr(w, "field", a.field());
            attr(w, "value", CapAlertFormat.number(a.value()));
            attr(w, "threshold", CapAlertFormat.number(a.threshold()));
            attr(w, "gateway", gateway);
            w.writeEndElement();
            w.writeEndElement();
            w.writeCharacters("\n");
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("alert " + a.eventId() + " cannot be written as CoT", e);
        }
        return out.toByteArray();
    }

    private static String[] latLon(Alert a) {
        String circle = CapAlertFormat.circle(a.tags(), 0);
        if (circle == null) {
            return new String[] {"0.0", "0.0"};
        }
        String[] parts = circle.substring(0, circle.indexOf(' ')).split(",");
        return parts;
    }

    private static void attr(XMLStreamWriter w, String name, String value) throws XMLStreamException {
        w.writeAttribute(name, CapAlertFormat.xmlText(value));
    }
}
