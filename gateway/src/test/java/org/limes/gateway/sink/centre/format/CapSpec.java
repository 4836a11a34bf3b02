package org.limes.gateway.sink.centre.format;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The rules of OASIS CAP 1.2 (§3.2, "Alert Message Structure" and the data dictionary),
 * written from the specification: required elements, their order (the schema's sequences),
 * how often each may occur, the value sets, and the format rules (dateTime with an explicit
 * offset, UTC as {@code -00:00}, identifier and sender without spaces, commas or restricted
 * characters, circle and polygon syntax). {@link #violations} lists every broken rule.
 */
final class CapSpec {

    static final String NS = "urn:oasis:names:tc:emergency:cap:1.2";

    private static final List<String> ALERT_ORDER = List.of("identifier", "sender", "sent", "status", "msgType",
            "source", "scope", "restriction", "addresses", "code", "note", "references", "incidents", "info");
    private static final Set<String> ALERT_REPEATABLE = Set.of("code", "info");
    private static final List<String> ALERT_REQUIRED = List.of("identifier", "sender", "sent", "status", "msgType",
            "scope");
    private static final List<String> INFO_ORDER = List.of("language", "category", "event", "responseType",
            "urgency", "severity", "certainty", "audience", "eventCode", "effective", "onset", "expires",
            "senderName", "headline", "description", "instruction", "web", "contact", "parameter", "resource",
            "area");
    private static final Set<String> INFO_REPEATABLE = Set.of("category", "responseType", "eventCode", "parameter",
            "resource", "area");
    private static final List<String> INFO_REQUIRED = List.of("category", "event", "urgency", "severity",
            "certainty");
    private static final List<String> AREA_ORDER = List.of("areaDesc", "polygon", "circle", "geocode", "altitude",
            "ceiling");
    private static final Set<String> AREA_REPEATABLE = Set.of("polygon", "circle", "geocode");

    static final Set<String> STATUS = Set.of("Actual", "Exercise", "System", "Test", "Draft");
    static final Set<String> MSG_TYPE = Set.of("Alert", "Update", "Cancel", "Ack", "Error");
    static final Set<String> SCOPE = Set.of("Public", "Restricted", "Private");
    static final Set<String> CATEGORY = Set.of("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env",
            "Transport", "Infra", "CBRNE", "Other");
    static final Set<String> RESPONSE_TYPE = Set.of("Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor",
            "Assess", "AllClear", "None");
    static final Set<String> URGENCY = Set.of("Immediate", "Expected", "Future", "Past", "Unknown");
    static final Set<String> SEVERITY = Set.of("Extreme", "Severe", "Moderate", "Minor", "Unknown");
    static final Set<String> CERTAINTY = Set.of("Observed", "Likely", "Possible", "Unlikely", "Unknown");

    /** §3.3.2: CCYY-MM-DDThh:mm:ssXzh:zm, no fractional seconds, no alphabetic zone. */
    static final Pattern DATE_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}[-+]\\d{2}:\\d{2}");
    private static final Pattern COORD = Pattern.compile("-?\\d+(\\.\\d+)?");

    private CapSpec() {
    }

    static Document parse(byte[] xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
    }

    static List<String> violations(byte[] xml) throws Exception {
        List<String> v = new ArrayList<>();
        Element alert = parse(xml).getDocumentElement();
        if (!"alert".equals(alert.getLocalName()) || !NS.equals(alert.getNamespaceURI())) {
            v.add("root must be alert in " + NS + ", got {" + alert.getNamespaceURI() + "}" + alert.getLocalName());
            return v;
        }
        structure(v, "alert", alert, ALERT_ORDER, ALERT_REPEATABLE, ALERT_REQUIRED);
        noSpacesCommasRestricted(v, "identifier", text(alert, "identifier"));
        noSpacesCommasRestricted(v, "sender", text(alert, "sender"));
        dateTime(v, "sent", text(alert, "sent"));
        oneOf(v, "status", text(alert, "status"), STATUS);
        String msgType = text(alert, "msgType");
        oneOf(v, "msgType", msgType, MSG_TYPE);
        String scope = text(alert, "scope");
        oneOf(v, "scope", scope, SCOPE);
        if ("Restricted".equals(scope) && blank(text(alert, "restriction"))) {
            v.add("restriction is required with scope Restricted");
        }
        if ("Private".equals(scope) && blank(text(alert, "addresses"))) {
            v.add("addresses is required with scope Private");
        }
        if ("Error".equals(msgType) && blank(text(alert, "note"))) {
            v.add("note is required with msgType Error");
        }
        String references = text(alert, "references");
        if (("Update".equals(msgType) || "Cancel".equals(msgType)) && blank(references)) {
            v.add("references is required with msgType " + msgType);
        }
        if (references != null) {
            for (String ref : references.trim().split("\\s+")) {
                String[] parts = ref.split(",");
                if (parts.length != 3) {
                    v.add("references entry must be sender,identifier,sent, got '" + ref + "'");
                } else {
                    dateTime(v, "references sent", parts[2]);
                }
            }
        }
        for (Element info : children(alert, "info")) {
            structure(v, "info", info, INFO_ORDER, INFO_REPEATABLE, INFO_REQUIRED);
            for (Element c : children(info, "category")) {
                oneOf(v, "category", c.getTextContent(), CATEGORY);
            }
            for (Element r : children(info, "responseType")) {
                oneOf(v, "responseType", r.getTextContent(), RESPONSE_TYPE);
            }
            oneOf(v, "urgency", text(info, "urgency"), URGENCY);
            oneOf(v, "severity", text(info, "severity"), SEVERITY);
            oneOf(v, "certainty", text(info, "certainty"), CERTAINTY);
            for (String t : List.of("effective", "onset", "expires")) {
                if (text(info, t) != null) {
                    dateTime(v, t, text(info, t));
                }
            }
            String language = text(info, "language");
            if (language != null && !language.matches("[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")) {
                v.add("language must be an RFC 3066 tag, got '" + language + "'");
            }
            String headline = text(info, "headline");
            if (headline != null && headline.length() >= 160) {
                v.add("headline should be under 160 characters, has " + headline.length());
            }
            for (Element p : children(info, "parameter")) {
                structure(v, "parameter", p, List.of("valueName", "value"), Set.of(), List.of("valueName", "value"));
            }
            for (Element area : children(info, "area")) {
                structure(v, "area", area, AREA_ORDER, AREA_REPEATABLE, List.of("areaDesc"));
                for (Element c : children(area, "circle")) {
                    circle(v, c.getTextContent());
                }
                for (Element p : children(area, "polygon")) {
                    polygon(v, p.getTextContent());
                }
                if (text(area, "ceiling") != null && text(area, "altitude") == null) {
                    v.add("ceiling requires altitude");
                }
            }
        }
        return v;
    }

    /** Children in the spec's order, each known, the required ones present, the single ones once. */
    private static void structure(List<String> v, String where, Element e, List<String> order, Set<String> repeatable,
            List<String> required) {
        int last = -1;
        List<String> seen = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.TEXT_NODE && !n.getTextContent().isBlank()) {
                v.add(where + " has text outside its elements");
            }
            if (n.getNodeType() != Node.ELEMENT_NODE) {
                continue;
            }
            String name = n.getLocalName();
            if (!NS.equals(n.getNamespaceURI())) {
                v.add(where + "/" + name + " is not in the CAP namespace");
            }
            int at = order.indexOf(name);
            if (at < 0) {
                v.add(where + "/" + name + " is not a CAP element here");
                continue;
            }
            if (at < last) {
                v.add(where + "/" + name + " is out of order (sequence " + order + ")");
            }
            if (seen.contains(name) && !repeatable.contains(name)) {
                v.add(where + "/" + name + " occurs more than once");
            }
            last = at;
            seen.add(name);
            if (n.getTextContent().isEmpty() && !name.equals("info") && !name.equals("area")
                    && !name.equals("parameter") && !name.equals("resource")) {
                v.add(where + "/" + name + " is empty");
            }
        }
        for (String r : required) {
            if (!seen.contains(r)) {
                v.add(where + "/" + r + " is required");
            }
        }
    }

    private static void noSpacesCommasRestricted(List<String> v, String name, String value) {
        if (value == null) {
            return;
        }
        if (value.isEmpty() || value.chars().anyMatch(c -> Character.isWhitespace(c) || c == ',' || c == '<'
                || c == '&')) {
            v.add(name + " must not contain spaces, commas or restricted characters (< &), got '" + value + "'");
        }
    }

    private static void dateTime(List<String> v, String name, String value) {
        if (value == null || !DATE_TIME.matcher(value).matches()) {
            v.add(name + " must be a dateTime like 2002-05-24T16:49:00-07:00 (no fraction, no Z), got '" + value + "'");
            return;
        }
        if (value.endsWith("+00:00")) {
            v.add(name + ": UTC must be written -00:00, got '" + value + "'");
        }
        try {
            java.time.OffsetDateTime.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            v.add(name + " is not a real date and time: '" + value + "'");
        }
    }

    private static void oneOf(List<String> v, String name, String value, Set<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            v.add(name + " must be one of " + new java.util.TreeSet<>(allowed) + ", got '" + value + "'");
        }
    }

    private static void circle(List<String> v, String value) {
        String[] parts = value.trim().split(" ");
        if (parts.length != 2 || !COORD.matcher(parts[1]).matches() || Double.parseDouble(parts[1]) < 0) {
            v.add("circle must be 'lat,lon radius_km', got '" + value + "'");
            return;
        }
        point(v, "circle", parts[0]);
    }

    private static void polygon(List<String> v, String value) {
        String[] pairs = value.trim().split(" ");
        if (pairs.length < 4 || !pairs[0].equals(pairs[pairs.length - 1])) {
            v.add("polygon must be at least four pairs, the first equal to the last, got '" + value + "'");
        }
        for (String p : pairs) {
            point(v, "polygon", p);
        }
    }

    private static void point(List<String> v, String where, String pair) {
        String[] ll = pair.split(",");
        if (ll.length != 2 || !COORD.matcher(ll[0]).matches() || !COORD.matcher(ll[1]).matches()
                || Math.abs(Double.parseDouble(ll[0])) > 90 || Math.abs(Double.parseDouble(ll[1])) > 180) {
            v.add(where + " point must be WGS 84 'lat,lon', got '" + pair + "'");
        }
    }

    static String text(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? null : c.get(0).getTextContent();
    }

    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE && name.equals(n.getLocalName())) {
                out.add((Element) n);
            }
        }
        return out;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
