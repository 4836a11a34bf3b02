package org.limes.drivers.camera.hikvision;

import java.io.ByteArrayInputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.limes.drivers.DecodeException;

/**
 * Reads an ISAPI {@code EventNotificationAlert} document into a flat map of the values the
 * driver uses: the root's text children by local name ({@code dateTime}, {@code ipAddress},
 * …) and the {@code ANPR} element's text children as {@code ANPR.<name>}. Every other
 * element is skipped, whatever its content.
 *
 * <pre>
 * &lt;EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"&gt;
 *   &lt;ipAddress&gt;10.20.0.31&lt;/ipAddress&gt; … &lt;eventType&gt;ANPR&lt;/eventType&gt;
 *   &lt;ANPR&gt;&lt;licensePlate&gt;5-123456&lt;/licensePlate&gt; … &lt;/ANPR&gt;
 * &lt;/EventNotificationAlert&gt;
 * →  {ipAddress=10.20.0.31, eventType=ANPR, ANPR=, ANPR.licensePlate=5-123456, …}
 * </pre>
 *
 * <p>Safe against hostile documents: the JDK's own StAX parser (never a provider found on
 * the class path), a DOCTYPE of any kind is refused before its internal subset is used, so
 * no entity is ever declared or expanded and nothing external is fetched; element depth is
 * limited to {@value #MAX_DEPTH}, each text value to {@value #MAX_TEXT_CHARS} characters.
 * The caller bounds the document size. Values are trimmed of XML white space.
 *
 * <p>Stateless; the factory is configured once and shared, which the JDK's StAX
 * implementation allows for creating readers from any number of threads.
 */
final class AlertXmlReader {

    static final String ROOT = "EventNotificationAlert";
    static final String ANPR = "ANPR";
    static final int MAX_DEPTH = 16;
    static final int MAX_TEXT_CHARS = 256;

    private static final Set<String> ROOT_VALUES = Set.of("ipAddress", "ipv6Address", "portNo", "protocol",
            "macAddress", "channelID", "dateTime", "activePostCount", "eventType", "eventState", "eventDescription",
            "channelName");
    private static final Set<String> ANPR_VALUES = Set.of("country", "licensePlate", "line", "direction",
            "confidenceLevel", "plateType", "plateColor", "vehicleType", "vehicleListName");

    private static final XMLInputFactory FACTORY = factory();
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    private AlertXmlReader() {
    }

    private static XMLInputFactory factory() {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        return f;
    }

    /**
     * @param body   the frame payload
     * @param offset where the XML document starts in it
     * @param length the document's length in bytes
     */
    static Map<String, String> read(byte[] body, int offset, int length) throws DecodeException {
        XMLStreamReader r = null;
        try {
            r = FACTORY.createXMLStreamReader(new ByteArrayInputStream(body, offset, length));
            return walk(r, offset);
        } catch (XMLStreamException e) {
            throw DecodeException.atOffset(offset, "malformed XML" + where(e.getLocation()) + ": " + reason(e), e);
        } catch (RuntimeException e) {
            // The JDK parser signals some malformed input (bad encodings) with unchecked exceptions.
            throw DecodeException.atOffset(offset, "malformed XML: " + e.getClass().getSimpleName(), e);
        } finally {
            if (r != null) {
                close(r);
            }
        }
    }

    private static Map<String, String> walk(XMLStreamReader r, int offset) throws XMLStreamException, DecodeException {
        Map<String, String> values = new HashMap<>();
        int depth = 0;
        boolean sawRoot = false;
        boolean inAnpr = false;
        while (r.hasNext()) {
            int event = r.next();
            switch (event) {
                case XMLStreamConstants.DTD -> throw DecodeException.atOffset(offset,
                        "XML with a DOCTYPE is refused (no entities, no external references)");
                case XMLStreamConstants.ENTITY_REFERENCE -> throw DecodeException.atOffset(offset,
                        "XML entity references are refused");
                case XMLStreamConstants.START_ELEMENT -> {
                    depth++;
                    if (depth > MAX_DEPTH) {
                        throw DecodeException.atOffset(offset, "XML nested deeper than " + MAX_DEPTH + " elements");
                    }
                    String name = r.getLocalName();
                    if (depth == 1) {
                        if (!name.equals(ROOT)) {
                            throw DecodeException.atOffset(offset, "expected the root element " + ROOT + ", got " + name);
                        }
                        sawRoot = true;
                    } else if (depth == 2 && name.equals(ANPR)) {
                        put(values, ANPR, "");
                        inAnpr = true;
                    } else if (depth == 2 && ROOT_VALUES.contains(name)) {
                        put(values, name, text(r, name));
                        depth--;
                    } else if (depth == 3 && inAnpr && ANPR_VALUES.contains(name)) {
                        String path = ANPR + "." + name;
                        put(values, path, text(r, path));
                        depth--;
                    }
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    if (depth == 2 && inAnpr) {
                        inAnpr = false;
                    }
                    depth--;
                }
                default -> {
                    // Text between elements, comments and processing instructions carry nothing we use.
                }
            }
        }
        if (!sawRoot) {
            throw DecodeException.atOffset(offset, "XML document has no root element");
        }
        return values;
    }

    /** The text of a value element, consumed up to its end tag. */
    private static String text(XMLStreamReader r, String path) throws XMLStreamException, DecodeException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int event = r.next();
            switch (event) {
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (sb.length() + r.getTextLength() > MAX_TEXT_CHARS) {
                        throw DecodeException.atField(path, "is longer than " + MAX_TEXT_CHARS + " characters");
                    }
                    sb.append(r.getTextCharacters(), r.getTextStart(), r.getTextLength());
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    return strip(sb);
                }
                case XMLStreamConstants.START_ELEMENT -> throw DecodeException.atField(path,
                        "must hold text, got the element " + r.getLocalName());
                case XMLStreamConstants.ENTITY_REFERENCE -> throw DecodeException.atField(path,
                        "XML entity references are refused");
                default -> {
                    // Comments and processing instructions inside a value are not part of it.
                }
            }
        }
    }

    private static void put(Map<String, String> values, String path, String value) throws DecodeException {
        if (values.put(path, value) != null) {
            throw DecodeException.atField(path, "appears more than once");
        }
    }

    private static String strip(StringBuilder sb) {
        int from = 0;
        int to = sb.length();
        while (from < to && isXmlSpace(sb.charAt(from))) {
            from++;
        }
        while (to > from && isXmlSpace(sb.charAt(to - 1))) {
            to--;
        }
        return sb.substring(from, to);
    }

    private static boolean isXmlSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static String where(Location at) {
        return at == null || at.getLineNumber() < 0 ? "" : " at line " + at.getLineNumber() + " column " + at.getColumnNumber();
    }

    /** The parser's message without the location prefix it adds. */
    /**
     * The parser's reason, with every quoted span that is not one of the element names read
     * here replaced by {@code "…"}: the parser quotes entity names and other input, and the
     * document holds a plate, which must not reach a log.
     */
    private static String reason(XMLStreamException e) {
        String m = String.valueOf(e.getMessage());
        int cut = m.indexOf("Message: ");
        Matcher quoted = QUOTED.matcher((cut >= 0 ? m.substring(cut + "Message: ".length()) : m).strip());
        StringBuilder sb = new StringBuilder();
        while (quoted.find()) {
            String name = quoted.group(1).replaceAll("^</?|>$", "");
            boolean known = name.equals(ROOT) || name.equals(ANPR) || ROOT_VALUES.contains(name)
                    || ANPR_VALUES.contains(name);
            quoted.appendReplacement(sb, Matcher.quoteReplacement(known ? quoted.group() : "\"…\""));
        }
        return quoted.appendTail(sb).toString();
    }


    private static void close(XMLStreamReader r) {
        try {
            r.close();
        } catch (XMLStreamException e) {
            // Closing a reader over a byte array releases nothing that can fail.
        }
    }
}
