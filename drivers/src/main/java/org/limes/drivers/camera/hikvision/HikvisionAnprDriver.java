package org.limes.drivers.camera.hikvision;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.limes.drivers.Attachment;
import org.limes.drivers.DecodeException;
import org.limes.drivers.camera.PlateText;
import org.limes.drivers.DecodeResult;
import org.limes.drivers.DeviceId;
import org.limes.drivers.Driver;
import org.limes.drivers.EventKey;
import org.limes.drivers.Frame;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;

/**
 * The {@code camera-hikvision} format: the ANPR event a Hikvision camera pushes over HTTP
 * (ISAPI event notification, "alarm server" / HTTP listening), one HTTP body per frame.
 *
 * <pre>
 * body: multipart/form-data (boundary taken from the first line) or the bare XML document
 *
 * part (Content-Type)        name (typical)             use
 * -------------------------  -------------------------  --------------------------------------
 * application/xml, text/xml  anpr.xml                   the EventNotificationAlert below (once)
 *   (or a name ending .xml)
 * image/*                    licensePlatePicture.jpg,   size summed into picture_bytes; the
 *                            detectionPicture.jpg       bytes themselves are not read
 * anything else              -                          ignored
 *
 * XML element (local name)        reading                       form
 * ------------------------------  ----------------------------  ---------------------------------
 * dateTime                        deviceTime                    ISO-8601 with offset (required)
 * eventType                       -                             "ANPR"; any other type → no reading
 * ipAddress | macAddress |        deviceId (option device_from, 1..64 chars; ip and mac of
 *   channelName                     default ip; or option device) [A-Za-z0-9._:-]
 * ANPR/licensePlate               field plate (String)          1..32 chars, as read (required)
 * ANPR/confidenceLevel            field confidence_pct (Double) decimal 0..100 (optional)
 * ANPR/line                       tag lane                      ≤ 16 chars
 * ANPR/direction                  tag direction                 as sent: forward | reverse | …
 * ANPR/country                    tag country                   as sent
 * ANPR/vehicleType                tag vehicle_type              as sent
 * ANPR/vehicleListName            tag list                      blockList | allowList | otherList …
 * ANPR/plateColor                 tag plate_color               as sent
 * (image parts)                   field picture_bytes (Long)    bytes; 0 for a bare XML body
 * </pre>
 *
 * <p>Worked example. The body
 * <pre>
 * --MIME_boundary\r\n
 * Content-Disposition: form-data; name="anpr.xml"; filename="anpr.xml"\r\n
 * Content-Type: application/xml\r\n
 * \r\n
 * &lt;EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"&gt;
 * &lt;ipAddress&gt;10.20.0.31&lt;/ipAddress&gt;&lt;dateTime&gt;2026-11-26T08:00:00+02:00&lt;/dateTime&gt;
 * &lt;eventType&gt;ANPR&lt;/eventType&gt;&lt;ANPR&gt;&lt;licensePlate&gt;5-123456&lt;/licensePlate&gt;&lt;line&gt;2&lt;/line&gt;
 * &lt;direction&gt;forward&lt;/direction&gt;&lt;confidenceLevel&gt;97&lt;/confidenceLevel&gt;
 * &lt;vehicleListName&gt;blockList&lt;/vehicleListName&gt;&lt;/ANPR&gt;&lt;/EventNotificationAlert&gt;\r\n
 * --MIME_boundary\r\n
 * Content-Disposition: form-data; name="licensePlatePicture.jpg"; filename="licensePlatePicture.jpg"\r\n
 * Content-Type: image/jpeg\r\n
 * \r\n
 * (4 210 bytes of JPEG)\r\n
 * --MIME_boundary--\r\n
 * </pre>
 * decodes to one reading: device {@code 10.20.0.31}, kind {@code anpr_read}, tags
 * {@code {direction=forward, lane=2, list=blockList}}, fields {@code {confidence_pct=97.0,
 * picture_bytes=4210, plate=5-123456}}, device time {@code 2026-11-26T06:00:00Z}.
 *
 * <p>Limits, each a {@link DecodeException}: the XML document at most
 * {@value #MAX_XML_BYTES} bytes, no DOCTYPE (so no entity expansion and no external
 * references), depth {@value AlertXmlReader#MAX_DEPTH}, the multipart limits of
 * {@link MultipartFormReader}. Pictures are only measured, never copied: keeping them is
 * the HTTP source's job. Text values are trimmed of XML white space; a value holding a
 * control character is refused. Elements not in the table are ignored; one in the table
 * given twice is a fault.
 *
 * <p>{@link #encode} writes the multipart form with CRLF line breaks, boundary
 * {@value #BOUNDARY}, the XML part {@code anpr.xml}, and, when {@code picture_bytes > 0},
 * a {@code licensePlatePicture.jpg} of a tenth of them and a {@code detectionPicture.jpg} of
 * the rest (placeholder JPEG bytes), time in UTC.
 *
 * <p>Immutable and thread-safe: one instance serves every source and thread.
 */
public final class HikvisionAnprDriver implements Driver {

    public static final String NAME = "camera-hikvision";
    public static final String KIND = "anpr_read";
    public static final String BOUNDARY = "MIME_boundary";

    static final int MAX_XML_BYTES = 64 * 1024;
    static final long MAX_ENCODED_PICTURE_BYTES = 16L * 1024 * 1024;
    static final String FIELD_PLATE = "plate";
    static final String FIELD_CONFIDENCE = "confidence_pct";
    static final String FIELD_PICTURES = "picture_bytes";

    private static final int MAX_PLATE_CHARS = 32;
    private static final int MAX_LANE_CHARS = 16;
    private static final int MAX_TAG_CHARS = 64;
    private static final int MAX_SHOWN_CHARS = 40;
    private static final Pattern DECIMAL = Pattern.compile("[0-9]+(\\.[0-9]+)?");
    private static final Set<String> FIELDS = Set.of(FIELD_PLATE, FIELD_CONFIDENCE, FIELD_PICTURES, EventKey.FIELD);

    /** Tag name → the {@code ANPR} child element it comes from, in encoding order. */
    private static final Map<String, String> TAG_ELEMENTS = orderedTags();

    /** Where the device id comes from. */
    public enum DeviceFrom {
        IP("ip", "ipAddress"),
        MAC("mac", "macAddress"),
        CHANNEL_NAME("channel_name", "channelName");

        private final String option;
        private final String element;

        DeviceFrom(String option, String element) {
            this.option = option;
            this.element = element;
        }

        public String option() {
            return option;
        }

        /** The option value's constant, or null. */
        public static DeviceFrom of(String option) {
            for (DeviceFrom d : values()) {
                if (d.option.equals(option)) {
                    return d;
                }
            }
            return null;
        }
    }

    private final DeviceFrom deviceFrom;
    private final String fixedDevice;

    /** Device id from {@code ipAddress}: the defaults. */
    public HikvisionAnprDriver() {
        this(DeviceFrom.IP, null);
    }

    /**
     * @param deviceFrom  the element the device id is taken from, when {@code fixedDevice} is null
     * @param fixedDevice one device id for every frame (a source dedicated to one camera), or null
     */
    public HikvisionAnprDriver(DeviceFrom deviceFrom, String fixedDevice) {
        if (deviceFrom == null) {
            throw new IllegalArgumentException("deviceFrom must not be null");
        }
        if (fixedDevice != null && !DeviceId.isWellFormed(fixedDevice)) {
            throw new IllegalArgumentException("device must be 1.." + DeviceId.MAX_CHARS
                    + " characters of [A-Za-z0-9._:-], got " + quoted(fixedDevice));
        }
        this.deviceFrom = deviceFrom;
        this.fixedDevice = fixedDevice;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Framing framing() {
        return Framing.DOCUMENT;
    }

    @Override
    public List<Reading> decode(Frame frame) throws DecodeException {
        return read(frame).readings();
    }

    /** The read with its picture parts as {@link Attachment}s (spans of the body, not copies). */
    @Override
    public DecodeResult decodeAll(Frame frame) {
        try {
            return read(frame);
        } catch (DecodeException e) {
            return DecodeResult.failed(e);
        }
    }

    private DecodeResult read(Frame frame) throws DecodeException {
        byte[] body = frame.payload();
        int xmlOffset;
        int xmlLength;
        long pictureBytes = 0;
        List<MultipartFormReader.Part> pictures = new ArrayList<>(2);
        if (MultipartFormReader.looksMultipart(body)) {
            MultipartFormReader.Part xml = null;
            List<MultipartFormReader.Part> parts = MultipartFormReader.split(body);
            for (MultipartFormReader.Part p : parts) {
                if (isXmlPart(p)) {
                    if (xml != null) {
                        throw DecodeException.atOffset(p.offset(), "two XML parts: " + xml.label() + " and " + p.label());
                    }
                    xml = p;
                } else if (p.contentType().startsWith("image/")) {
                    pictureBytes += p.length();
                    pictures.add(p);
                }
            }
            if (xml == null) {
                throw DecodeException.atOffset(0, "no XML part (Content-Type application/xml or text/xml, or a name"
                        + " ending .xml) among " + parts.size() + " part" + (parts.size() == 1 ? "" : "s"));
            }
            if (xml.length() > MAX_XML_BYTES) {
                throw DecodeException.atOffset(xml.offset(), xml.label() + " has " + xml.length()
                        + " bytes of XML, more than the limit of " + MAX_XML_BYTES);
            }
            xmlOffset = xml.offset();
            xmlLength = xml.length();
        } else {
            int i = firstContent(body);
            if (i >= body.length) {
                throw DecodeException.atOffset(i, "empty body: expected a multipart/form-data body (--boundary)"
                        + " or an XML document");
            }
            if (body[i] != '<') {
                throw DecodeException.atOffset(i, "expected a multipart/form-data body (--boundary) or an XML"
                        + " document, got " + MultipartFormReader.shown(body[i]));
            }
            if (body.length > MAX_XML_BYTES) {
                throw DecodeException.atOffset(0, "XML body of " + body.length + " bytes is more than the limit of "
                        + MAX_XML_BYTES);
            }
            xmlOffset = 0;
            xmlLength = body.length;
        }
        Map<String, String> xml = AlertXmlReader.read(body, xmlOffset, xmlLength);
        String eventType = required(xml, "eventType");
        if (!eventType.equals(AlertXmlReader.ANPR)) {
            // Heartbeats (videoloss/inactive) and other events share the listener: not faults, not reads.
            return DecodeResult.of(List.of());
        }
        required(xml, AlertXmlReader.ANPR);
        String plate = required(xml, "ANPR.licensePlate");
        if (plate.length() > MAX_PLATE_CHARS || hasControl(plate)) {
            throw DecodeException.atField("ANPR.licensePlate", "must be 1.." + MAX_PLATE_CHARS
                    + " characters without control characters, got " + PlateText.describe(plate));
        }
        TreeMap<String, Object> fields = new TreeMap<>();
        fields.put(FIELD_PLATE, plate);
        fields.put(FIELD_PICTURES, pictureBytes);
        String confidence = xml.get("ANPR.confidenceLevel");
        if (confidence != null && !confidence.isEmpty()) {
            fields.put(FIELD_CONFIDENCE, confidence(confidence));
        }
        TreeMap<String, String> tags = new TreeMap<>();
        for (Map.Entry<String, String> t : TAG_ELEMENTS.entrySet()) {
            String path = "ANPR." + t.getValue();
            String v = xml.get(path);
            if (v != null && !v.isEmpty()) {
                int max = t.getKey().equals("lane") ? MAX_LANE_CHARS : MAX_TAG_CHARS;
                if (v.length() > max || hasControl(v)) {
                    throw DecodeException.atField(path, "must be at most " + max
                            + " characters without control characters, got " + quoted(v));
                }
                tags.put(t.getKey(), v);
            }
        }
        String device = fixedDevice != null ? fixedDevice : device(xml);
        String dateTime = required(xml, "dateTime");
        // Each read is an event: two in one second must not share a store key (EventKey).
        Reading read = EventKey.mark(new Reading(device, "", KIND, tags, fields, time(dateTime), frame.receivedAt()),
                EventKey.precisionOf(dateTime));
        List<Attachment> attachments = new ArrayList<>(pictures.size());
        for (MultipartFormReader.Part p : pictures) {
            String name = !p.filename().isBlank() ? p.filename() : !p.name().isBlank() ? p.name()
                    : "picture-" + p.number();
            attachments.add(new Attachment(0, name, p.contentType(), p.offset(), p.length()));
        }
        return new DecodeResult(List.of(read), List.of(), attachments);
    }

    private String device(Map<String, String> xml) throws DecodeException {
        String element = deviceFrom.element;
        String v = xml.get(element);
        if (v == null || v.isEmpty()) {
            throw DecodeException.atField(element, "is required but missing (the device id comes from it: device_from="
                    + deviceFrom.option + ")");
        }
        boolean ok = deviceFrom == DeviceFrom.CHANNEL_NAME ? v.length() <= DeviceId.MAX_CHARS && !hasControl(v) : DeviceId.isWellFormed(v);
        if (!ok) {
            throw DecodeException.atField(element, "must be 1.." + DeviceId.MAX_CHARS + " characters"
                    + (deviceFrom == DeviceFrom.CHANNEL_NAME ? " without control characters" : " of [A-Za-z0-9._:-]")
                    + " to serve as the device id, got " + quoted(v));
        }
        return v;
    }

    private static boolean isXmlPart(MultipartFormReader.Part p) {
        String type = p.contentType();
        if (type.equals("application/xml") || type.equals("text/xml")) {
            return true;
        }
        boolean untyped = type.isEmpty() || type.equals("application/octet-stream") || type.equals("text/plain");
        return untyped && (endsWithXml(p.name()) || endsWithXml(p.filename()));
    }

    private static boolean endsWithXml(String s) {
        return s.toLowerCase(Locale.ROOT).endsWith(".xml");
    }

    private static String required(Map<String, String> xml, String path) throws DecodeException {
        String v = xml.get(path);
        if (v == null || (v.isEmpty() && !path.equals(AlertXmlReader.ANPR))) {
            throw DecodeException.atField(path, v == null ? "is required but missing" : "is required but empty");
        }
        return v;
    }

    private static double confidence(String s) throws DecodeException {
        if (DECIMAL.matcher(s).matches()) {
            double v = Double.parseDouble(s);
            if (v <= 100) {
                return v;
            }
        }
        throw DecodeException.atField("ANPR.confidenceLevel", "must be a decimal number 0..100, got " + quoted(s));
    }

    private static Instant time(String s) throws DecodeException {
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeException e) {
            throw DecodeException.atField("dateTime", "must be an ISO-8601 date-time with offset (Z or ±hh:mm), got "
                    + quoted(s));
        }
    }

    private static int firstContent(byte[] body) {
        int i = 0;
        if (body.length >= 3 && (body[0] & 0xff) == 0xEF && (body[1] & 0xff) == 0xBB && (body[2] & 0xff) == 0xBF) {
            i = 3;
        }
        while (i < body.length && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) {
            i++;
        }
        return i;
    }

    @Override
    public byte[] encode(Reading reading) {
        if (!KIND.equals(reading.kind())) {
            throw new IllegalArgumentException(NAME + " encodes kind " + KIND + ", got " + reading.kind());
        }
        Map<String, Object> fields = reading.fields();
        for (String f : fields.keySet()) {
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException(NAME + " cannot carry field " + f + ", only " + FIELDS.stream().sorted().toList());
            }
        }
        Object precision = fields.get(EventKey.FIELD);
        if (precision != null && !(precision instanceof Long)) {
            throw new IllegalArgumentException("field " + EventKey.FIELD + " must be a Long, got " + precision);
        }
        String dateTime = precision == null ? reading.deviceTime().toString()
                : EventKey.isoTime(reading.deviceTime(), (Long) precision);
        for (String t : reading.tags().keySet()) {
            if (!TAG_ELEMENTS.containsKey(t)) {
                throw new IllegalArgumentException(NAME + " cannot carry tag " + t + ", only " + TAG_ELEMENTS.keySet());
            }
        }
        if (!(fields.get(FIELD_PLATE) instanceof String plate) || !isText(plate, MAX_PLATE_CHARS)) {
            throw new IllegalArgumentException("field plate must be a String of 1.." + MAX_PLATE_CHARS
                    + " characters without control characters or outer white space, got "
                    + PlateText.describe(fields.get(FIELD_PLATE)));
        }
        if (!(fields.get(FIELD_PICTURES) instanceof Long pictures) || pictures < 0 || pictures > MAX_ENCODED_PICTURE_BYTES) {
            throw new IllegalArgumentException("field picture_bytes must be a Long 0.." + MAX_ENCODED_PICTURE_BYTES
                    + ", got " + fields.get(FIELD_PICTURES));
        }
        Object confidence = fields.get(FIELD_CONFIDENCE);
        if (confidence != null && (!(confidence instanceof Double c) || c < 0 || c > 100)) {
            throw new IllegalArgumentException("field confidence_pct must be a Double 0..100, got " + confidence);
        }
        for (Map.Entry<String, String> t : reading.tags().entrySet()) {
            int max = t.getKey().equals("lane") ? MAX_LANE_CHARS : MAX_TAG_CHARS;
            if (!isText(t.getValue(), max)) {
                throw new IllegalArgumentException("tag " + t.getKey() + " must be 1.." + max
                        + " characters without control characters or outer white space, got " + quoted(t.getValue()));
            }
        }
        String deviceElement = null;
        if (fixedDevice != null) {
            if (!fixedDevice.equals(reading.deviceId())) {
                throw new IllegalArgumentException("this driver's device is fixed to " + fixedDevice + ", got "
                        + reading.deviceId());
            }
        } else {
            boolean ok = deviceFrom == DeviceFrom.CHANNEL_NAME ? isText(reading.deviceId(), DeviceId.MAX_CHARS)
                    : DeviceId.isWellFormed(reading.deviceId());
            if (!ok) {
                throw new IllegalArgumentException("deviceId cannot be written as " + deviceFrom.element + ": "
                        + quoted(reading.deviceId()));
            }
            deviceElement = deviceFrom.element;
        }

        StringBuilder xml = new StringBuilder(768);
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n")
                .append("<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">\r\n");
        if (deviceElement != null) {
            element(xml, deviceElement, reading.deviceId());
        }
        element(xml, "dateTime", dateTime);
        element(xml, "activePostCount", "1");
        element(xml, "eventType", "ANPR");
        element(xml, "eventState", "active");
        element(xml, "eventDescription", "ANPR");
        xml.append("<ANPR>\r\n");
        for (Map.Entry<String, String> t : TAG_ELEMENTS.entrySet()) {
            String v = reading.tags().get(t.getKey());
            if (v != null) {
                element(xml, t.getValue(), v);
            }
        }
        element(xml, "licensePlate", plate);
        if (confidence != null) {
            element(xml, "confidenceLevel", BigDecimal.valueOf((Double) confidence).stripTrailingZeros().toPlainString());
        }
        xml.append("</ANPR>\r\n</EventNotificationAlert>\r\n");

        ByteArrayOutputStream out = new ByteArrayOutputStream(xml.length() + (int) (long) pictures + 512);
        part(out, "anpr.xml", "application/xml", xml.toString().getBytes(StandardCharsets.UTF_8));
        long platePicture = pictures / 10;
        if (platePicture > 0) {
            part(out, "licensePlatePicture.jpg", "image/jpeg", placeholderJpeg((int) platePicture));
        }
        if (pictures - platePicture > 0) {
            part(out, "detectionPicture.jpg", "image/jpeg", placeholderJpeg((int) (pictures - platePicture)));
        }
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static void part(ByteArrayOutputStream out, String name, String type, byte[] content) {
        String head = "--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + name + "\"\r\n"
                + "Content-Type: " + type + "\r\n"
                + "Content-Length: " + content.length + "\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(content);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** JPEG start and end markers around zeros: the right size, and never a delimiter. */
    private static byte[] placeholderJpeg(int size) {
        byte[] b = new byte[size];
        if (size >= 4) {
            b[0] = (byte) 0xFF;
            b[1] = (byte) 0xD8;
            b[size - 2] = (byte) 0xFF;
            b[size - 1] = (byte) 0xD9;
        }
        return b;
    }

    private static void element(StringBuilder xml, String name, String value) {
        xml.append('<').append(name).append('>');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> xml.append("&amp;");
                case '<' -> xml.append("&lt;");
                case '>' -> xml.append("&gt;");
                default -> xml.append(c);
            }
        }
        xml.append("</").append(name).append(">\r\n");
    }

    private static Map<String, String> orderedTags() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("country", "country");
        m.put("lane", "line");
        m.put("direction", "direction");
        m.put("plate_color", "plateColor");
        m.put("vehicle_type", "vehicleType");
        m.put("list", "vehicleListName");
        return Collections.unmodifiableMap(m);
    }

    /** Text that decodes back to itself: bounded, no control characters, no outer XML white space, valid XML. */
    private static boolean isText(String s, int max) {
        if (s.isEmpty() || s.length() > max || hasControl(s) || s.charAt(0) == ' ' || s.charAt(s.length() - 1) == ' ') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c) || c == '\uFFFE' || c == '\uFFFF') {
                return false;
            }
        }
        return true;
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static String quoted(String s) {
        String shown = s.length() <= MAX_SHOWN_CHARS ? s : s.substring(0, MAX_SHOWN_CHARS) + "…";
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (Character.isISOControl(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
