package org.limes.drivers.camera.hikvision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.limes.drivers.Attachment;
import org.limes.drivers.DecodeException;
import org.limes.drivers.DecodeResult;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverContractTest;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.EventKey;
import org.limes.drivers.Framing;
import org.limes.drivers.Reading;

class HikvisionAnprDriverTest extends DriverContractTest {

    static final String ALERT = """
            <?xml version="1.0" encoding="UTF-8"?>
            <EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
            <ipAddress>10.20.0.31</ipAddress>
            <portNo>80</portNo>
            <protocol>HTTP</protocol>
            <macAddress>44:19:b6:0a:7c:31</macAddress>
            <channelID>1</channelID>
            <dateTime>2026-11-26T08:00:00+02:00</dateTime>
            <activePostCount>1</activePostCount>
            <eventType>ANPR</eventType>
            <eventState>active</eventState>
            <eventDescription>ANPR</eventDescription>
            <channelName>ras-ajdir-anpr-2</channelName>
            <ANPR>
            <country>LY</country>
            <licensePlate>5-123456</licensePlate>
            <line>2</line>
            <direction>forward</direction>
            <confidenceLevel>97</confidenceLevel>
            <plateType>unknown</plateType>
            <plateColor>white</plateColor>
            <vehicleType>vehicle</vehicleType>
            <vehicleInfo><index>1</index><vehicleType>0</vehicleType><color>white</color></vehicleInfo>
            <vehicleListName>blockList</vehicleListName>
            </ANPR>
            <UUID>a1b2c3</UUID>
            </EventNotificationAlert>
            """;

    private static final String MINIMAL = """
            <EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">\
            <ipAddress>192.168.1.64</ipAddress><dateTime>2026-11-26T06:00:00.5Z</dateTime>\
            <eventType>ANPR</eventType><ANPR><licensePlate>123 TU 4567</licensePlate></ANPR>\
            </EventNotificationAlert>""";

    private final HikvisionAnprDriver driver = new HikvisionAnprDriver();

    @Override
    protected Driver driver() {
        return driver;
    }

    @Override
    protected List<byte[]> validFrames() {
        return List.of(multipart(ALERT, 40, 60), bytes(ALERT), bytes(MINIMAL));
    }

    /** A camera's body: the XML part, then a plate and a scene picture of the given sizes. */
    static byte[] multipart(String xml, int platePicture, int scenePicture) {
        String head = "--MIME_boundary\r\n"
                + "Content-Disposition: form-data; name=\"anpr.xml\"; filename=\"anpr.xml\"\r\n"
                + "Content-Type: application/xml\r\n"
                + "Content-Length: " + bytes(xml).length + "\r\n\r\n" + xml + "\r\n"
                + "--MIME_boundary\r\n"
                + "Content-Disposition: form-data; name=\"licensePlatePicture.jpg\"; filename=\"licensePlatePicture.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n";
        String middle = "\r\n--MIME_boundary\r\n"
                + "Content-Disposition: form-data; name=\"detectionPicture.jpg\"; filename=\"detectionPicture.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n";
        String tail = "\r\n--MIME_boundary--\r\n";
        byte[] plate = new byte[platePicture];
        Arrays.fill(plate, (byte) 0x5a);
        byte[] scene = new byte[scenePicture];
        Arrays.fill(scene, (byte) '-');
        return concat(bytes(head), plate, bytes(middle), scene, bytes(tail));
    }

    @Test
    void declaresDocumentFraming() {
        assertThat(driver.framing()).isEqualTo(Framing.DOCUMENT);
        assertThat(driver.name()).isEqualTo("camera-hikvision");
    }

    @Test
    void decodesTheCameraMultipartBody() throws DecodeException {
        Reading r = driver.decode(frame(multipart(ALERT, 40, 60))).get(0);

        assertThat(r.deviceId()).isEqualTo("10.20.0.31");
        assertThat(r.site()).isEmpty();
        assertThat(r.kind()).isEqualTo("anpr_read");
        assertThat(r.tags()).isEqualTo(Map.of("lane", "2", "direction", "forward", "country", "LY",
                "vehicle_type", "vehicle", "list", "blockList", "plate_color", "white"));
        assertThat(r.fields()).isEqualTo(Map.of("plate", "5-123456", "confidence_pct", 97.0, "picture_bytes", 100L,
                EventKey.FIELD, 1_000_000L));
        assertThat(r.deviceTime()).isEqualTo(Instant.parse("2026-11-26T06:00:00Z"));
        assertThat(r.receivedAt()).isEqualTo(RECEIVED_AT);
    }

    @Test
    void handsThePicturesOverAsSpansOfTheBodyBelongingToTheRead() {
        byte[] body = multipart(ALERT, 40, 60);

        DecodeResult result = driver.decodeAll(frame(body));

        assertThat(result.errors()).isEmpty();
        assertThat(result.readings()).hasSize(1);
        assertThat(result.attachments()).extracting(Attachment::reading, Attachment::name, Attachment::contentType,
                Attachment::length).containsExactly(tuple(0, "licensePlatePicture.jpg", "image/jpeg", 40),
                        tuple(0, "detectionPicture.jpg", "image/jpeg", 60));
        Attachment plate = result.attachments().get(0);
        Attachment scene = result.attachments().get(1);
        byte[] platePicture = Arrays.copyOfRange(body, plate.offset(), plate.offset() + plate.length());
        byte[] scenePicture = Arrays.copyOfRange(body, scene.offset(), scene.offset() + scene.length());
        assertThat(platePicture).containsOnly((byte) 0x5a);
        assertThat(scenePicture).containsOnly((byte) '-');
    }

    @Test
    void aPictureOfAnUnsafeNameIsRenamedAndAHeartbeatHasNoAttachments() {
        String body = "--b\r\nContent-Type: application/xml\r\n\r\n" + MINIMAL
                + "\r\n--b\r\nContent-Disposition: form-data; name=\"p\"; filename=\"../../etc/passwd\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\nabc\r\n--b--";

        DecodeResult result = driver.decodeAll(frame(bytes(body)));

        assertThat(result.attachments()).singleElement().extracting(Attachment::name).isEqualTo("_.._etc_passwd");
        String heartbeat = MINIMAL.replace("<eventType>ANPR</eventType>", "<eventType>videoloss</eventType>");
        assertThat(driver.decodeAll(frame(bytes(heartbeat))).attachments()).isEmpty();
        assertThat(driver.decodeAll(frame(bytes(ALERT))).attachments()).isEmpty();
    }

    @Test
    void aBareXmlBodyHasNoPictures() throws DecodeException {
        Reading multipart = driver.decode(frame(multipart(ALERT, 40, 60))).get(0);
        Reading bare = driver.decode(frame(bytes(ALERT))).get(0);

        assertThat(bare.fields()).containsEntry("picture_bytes", 0L);
        assertThat(bare.tags()).isEqualTo(multipart.tags());
        assertThat(bare.fields().get("plate")).isEqualTo(multipart.fields().get("plate"));
    }

    @Test
    void picturesMayContainWhatLooksLikeBoundariesMidLine() throws DecodeException {
        String tricky = "xx--MIME_boundary--\r\nContent-Type: application/xml\r\n";
        byte[] body = concat(bytes("--MIME_boundary\r\nContent-Type: image/jpeg\r\n\r\n"), bytes(tricky),
                bytes("\r\n--MIME_boundary\r\nContent-Type: application/xml\r\n\r\n" + MINIMAL + "\r\n--MIME_boundary--"));

        Reading r = driver.decode(frame(body)).get(0);

        assertThat(r.fields()).containsEntry("picture_bytes", (long) bytes(tricky).length);
    }

    @Test
    void acceptsBareLineFeedsLeadingBlankLinesAndAnUntypedXmlPartByName() throws DecodeException {
        String body = "\r\n--b1\nContent-Disposition: form-data; name=\"ANPR.XML\"\n\n" + MINIMAL
                + "\n--b1 \nContent-Type: image/png\n\n12345\n--b1--";

        Reading r = driver.decode(frame(bytes(body))).get(0);

        assertThat(r.fields()).containsEntry("plate", "123 TU 4567").containsEntry("picture_bytes", 5L)
                .doesNotContainKey("confidence_pct");
        assertThat(r.tags()).isEmpty();
        assertThat(r.deviceTime()).isEqualTo(Instant.parse("2026-11-26T06:00:00.5Z"));
    }

    @Test
    void otherEventsSuchAsHeartbeatsGiveNoReadings() throws DecodeException {
        String heartbeat = """
                <EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
                <ipAddress>10.20.0.31</ipAddress><dateTime>2026-11-26T08:00:00+02:00</dateTime>
                <activePostCount>0</activePostCount><eventType>videoloss</eventType><eventState>inactive</eventState>
                </EventNotificationAlert>""";

        assertThat(driver.decode(frame(bytes(heartbeat)))).isEmpty();
    }

    @Test
    void refusesAnExternalEntityWithoutReadingIt() {
        String xxe = """
                <?xml version="1.0"?>
                <!DOCTYPE EventNotificationAlert [<!ENTITY plate SYSTEM "file:///etc/passwd">]>
                <EventNotificationAlert><ipAddress>1.2.3.4</ipAddress><dateTime>2026-11-26T06:00:00Z</dateTime>
                <eventType>ANPR</eventType><ANPR><licensePlate>&plate;</licensePlate></ANPR></EventNotificationAlert>""";

        assertThatThrownBy(() -> driver.decode(frame(bytes(xxe))))
                .isInstanceOf(DecodeException.class)
                .hasMessage("byte 0: XML with a DOCTYPE is refused (no entities, no external references)");
    }

    @Test
    void refusesAnEntityExpansionBombQuickly() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE lolz [<!ENTITY lol0 \"lolololololololololol\">");
        for (int i = 1; i < 10; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i - 1) + ";").repeat(10)).append("\">");
        }
        dtd.append("]>");
        byte[] bomb = multipart(dtd + "<EventNotificationAlert><eventType>&lol9;</eventType></EventNotificationAlert>", 0, 0);

        assertThatThrownBy(() -> driver.decode(frame(bomb)))
                .isInstanceOf(DecodeException.class)
                .hasMessageEndingWith("XML with a DOCTYPE is refused (no entities, no external references)");
    }

    @Test
    void refusesDeeplyNestedXml() {
        String deep = "<EventNotificationAlert>" + "<a>".repeat(5000) + "</a>".repeat(5000) + "</EventNotificationAlert>";

        assertThatThrownBy(() -> driver.decode(frame(bytes(deep))))
                .isInstanceOf(DecodeException.class).hasMessage("byte 0: XML nested deeper than 16 elements");
    }

    @Test
    void refusesAnXmlPartLargerThanTheLimit() {
        String padded = ALERT.replace("<UUID>", "<padding>" + "x".repeat(70_000) + "</padding><UUID>");
        byte[] body = multipart(padded, 10, 10);

        assertThatThrownBy(() -> driver.decode(frame(body)))
                .isInstanceOf(DecodeException.class)
                .hasMessageMatching("byte \\d+: part 1 \\(anpr.xml\\) has \\d+ bytes of XML, more than the limit of 65536");
        assertThatThrownBy(() -> driver.decode(frame(bytes(padded))))
                .isInstanceOf(DecodeException.class)
                .hasMessageMatching("byte 0: XML body of \\d+ bytes is more than the limit of 65536");
    }

    @Test
    void refusesABoundaryThatNeverCloses() {
        byte[] body = Arrays.copyOf(multipart(ALERT, 40, 60), multipart(ALERT, 40, 60).length - 21);

        assertThatThrownBy(() -> driver.decode(frame(body)))
                .isInstanceOf(DecodeException.class)
                .hasMessage("byte " + body.length + ": part 3 has no closing delimiter --MIME_boundary (the body ends inside it)");
    }

    @Test
    void refusesMoreThanSixteenParts() {
        String many = "--B\r\nContent-Type: text/plain\r\n\r\nx\r\n".repeat(17) + "--B--";

        assertThatThrownBy(() -> driver.decode(frame(bytes(many))))
                .isInstanceOf(DecodeException.class).hasMessageEndingWith(": more than 16 parts");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "no XML part|`--B\r\nContent-Type: image/jpeg\r\n\r\nxx\r\n--B--`|byte 0: no XML part (Content-Type application/xml or text/xml, or a name ending .xml) among 1 part",
        "headers never end|`--B\r\nContent-Type: image/jpeg\r\n--B--`|byte 5: part 1 has no blank line ending its headers",
        "header without colon|`--B\r\nbogus\r\n\r\nxx\r\n--B--`|byte 5: part 1: header line without a name and ':'",
        "bad boundary|`--a<b\r\n\r\n--a<b--`|byte 3: multipart boundary has a character RFC 2046 does not allow: '<'",
        "boundary too long|`--" + "0123456789012345678901234567890123456789012345678901234567890123456789X\r\n`|byte 0: multipart boundary must be 1..70 characters not ending in a space, got 71",
        "not xml|`hello`|byte 0: expected a multipart/form-data body (--boundary) or an XML document, got 'h'",
        "blank|`  `|byte 2: empty body: expected a multipart/form-data body (--boundary) or an XML document",
        "wrong root|`<alert/>`|byte 0: expected the root element EventNotificationAlert, got alert",
        "unclosed xml|`<EventNotificationAlert><eventType>ANPR</eventType>`|byte 0: malformed XML at line 1 column 52: XML document structures must start and end within the same entity.",
        "no event type|`<EventNotificationAlert/>`|field eventType: is required but missing",
        "no ANPR|`<EventNotificationAlert><eventType>ANPR</eventType></EventNotificationAlert>`|field ANPR: is required but missing",
        "element in value|`<EventNotificationAlert><eventType><b/></eventType></EventNotificationAlert>`|field eventType: must hold text, got the element b",
        "two XML values|`<EventNotificationAlert><eventType>ANPR</eventType><eventType>ANPR</eventType></EventNotificationAlert>`|field eventType: appears more than once",
    })
    void rejectsWithLocationAndReason(String what, String body, String message) {
        assertThatThrownBy(() -> driver.decode(frame(bytes(body))))
                .as(what).isInstanceOf(DecodeException.class).hasMessage(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "<licensePlate>5-123456</licensePlate>|<licensePlate> </licensePlate>|field ANPR.licensePlate: is required but empty",
        "<licensePlate>5-123456</licensePlate>|<licensePlate>123456789012345678901234567890123</licensePlate>|field ANPR.licensePlate: must be 1..32 characters without control characters, got 33 characters",
        "<confidenceLevel>97</confidenceLevel>|<confidenceLevel>101</confidenceLevel>|field ANPR.confidenceLevel: must be a decimal number 0..100, got \"101\"",
        "<confidenceLevel>97</confidenceLevel>|<confidenceLevel>97d</confidenceLevel>|field ANPR.confidenceLevel: must be a decimal number 0..100, got \"97d\"",
        "<confidenceLevel>97</confidenceLevel>|<confidenceLevel>-1</confidenceLevel>|field ANPR.confidenceLevel: must be a decimal number 0..100, got \"-1\"",
        "<line>2</line>|<line>12345678901234567</line>|field ANPR.line: must be at most 16 characters without control characters, got \"12345678901234567\"",
        "<direction>forward</direction>|<direction>for&#9;ward</direction>|field ANPR.direction: must be at most 64 characters without control characters, got \"for\\u0009ward\"",
        "<dateTime>2026-11-26T08:00:00+02:00</dateTime>|<dateTime>2026-11-26T08:00:00</dateTime>|field dateTime: must be an ISO-8601 date-time with offset (Z or ±hh:mm), got \"2026-11-26T08:00:00\"",
        "<ipAddress>10.20.0.31</ipAddress>|<ipAddress>10.20.0.31/24</ipAddress>|field ipAddress: must be 1..64 characters of [A-Za-z0-9._:-] to serve as the device id, got \"10.20.0.31/24\"",
        "<ipAddress>10.20.0.31</ipAddress>||field ipAddress: is required but missing (the device id comes from it: device_from=ip)",
        "<eventType>ANPR</eventType>|<eventType>ANPR</eventType><ANPR/>|field ANPR: appears more than once",
    })
    void rejectsBadValues(String original, String replacement, String message) {
        String xml = ALERT.replace(original, replacement == null ? "" : replacement);
        assertThat(xml).isNotEqualTo(ALERT);

        assertThatThrownBy(() -> driver.decode(frame(multipart(xml, 4, 4))))
                .isInstanceOf(DecodeException.class).hasMessage(message);
    }

    @Test
    void takesTheDeviceFromTheConfiguredElementOrOption() throws DecodeException {
        Drivers drivers = Drivers.load();
        byte[] body = multipart(ALERT, 1, 1);

        assertThat(drivers.create("camera-hikvision", DriverOptions.of(Map.of("device_from", "mac")))
                .decode(frame(body)).get(0).deviceId()).isEqualTo("44:19:b6:0a:7c:31");
        assertThat(drivers.create("camera-hikvision", DriverOptions.of(Map.of("device_from", "channel_name")))
                .decode(frame(body)).get(0).deviceId()).isEqualTo("ras-ajdir-anpr-2");
        assertThat(drivers.create("camera-hikvision", DriverOptions.of(Map.of("device_from", "ip")))
                .decode(frame(body)).get(0).deviceId()).isEqualTo("10.20.0.31");
        assertThat(drivers.create("camera-hikvision", DriverOptions.of(Map.of("device", "anpr-north")))
                .decode(frame(body)).get(0).deviceId()).isEqualTo("anpr-north");
    }

    @Test
    void encodesWithEveryDeviceChoiceAndDecodesBack() throws DecodeException {
        Reading read = driver.decode(frame(multipart(ALERT, 400, 3600))).get(0);
        for (Map<String, String> options : List.of(Map.of("device_from", "mac"), Map.of("device_from", "channel_name"),
                Map.of("device", "anpr-north"))) {
            Driver d = new HikvisionAnprDriverFactory().create(DriverOptions.of(options));
            Reading mine = d.decode(frame(multipart(ALERT, 400, 3600))).get(0);

            Reading again = d.decode(frame(d.encode(mine))).get(0);

            assertSameReading(mine, again, "with " + options);
            assertThat(mine.fields()).isEqualTo(read.fields());
        }
    }

    @Test
    void encodesTheCameraLayout() throws DecodeException {
        Reading r = driver.decode(frame(multipart(ALERT, 40, 60))).get(0);

        String body = new String(driver.encode(r), StandardCharsets.ISO_8859_1);

        assertThat(body).startsWith("--MIME_boundary\r\nContent-Disposition: form-data; name=\"anpr.xml\"; filename=\"anpr.xml\"\r\n"
                        + "Content-Type: application/xml\r\n")
                .contains("<ipAddress>10.20.0.31</ipAddress>", "<confidenceLevel>97</confidenceLevel>",
                        "<vehicleListName>blockList</vehicleListName>", "<dateTime>2026-11-26T06:00:00Z</dateTime>",
                        "name=\"licensePlatePicture.jpg\"", "Content-Length: 10\r\n", "name=\"detectionPicture.jpg\"",
                        "Content-Length: 90\r\n")
                .endsWith("\r\n--MIME_boundary--\r\n");
    }

    @Test
    void encodeEscapesMarkupInValues() throws DecodeException {
        Reading r = new Reading("10.0.0.1", "", "anpr_read", Map.of("list", "a<b>&c"),
                Map.of("plate", "<&>", "picture_bytes", 0L), Instant.parse("2026-11-26T06:00:00Z"), RECEIVED_AT);

        assertSameReading(EventKey.mark(r, EventKey.SECOND_US), driver.decode(frame(driver.encode(r))).get(0), "escaped");
    }

    @Test
    void encodeRejectsReadingsTheFormatCannotCarry() throws DecodeException {
        Reading good = driver.decode(frame(multipart(ALERT, 40, 60))).get(0);

        assertThatThrownBy(() -> driver.encode(new Reading("x", "", "vehicle_count", Map.of(), good.fields(),
                good.deviceTime(), RECEIVED_AT))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vehicle_count");
        assertThatThrownBy(() -> driver.encode(good.withExtraTags(Map.of("zone", "z1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zone");
        assertThatThrownBy(() -> driver.encode(with(good, "speed_mps", 3.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("speed_mps");
        assertThatThrownBy(() -> driver.encode(with(good, "confidence_pct", 100.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("confidence_pct");
        assertThatThrownBy(() -> driver.encode(with(good, "plate", " 5-1 ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plate");
        assertThatThrownBy(() -> driver.encode(with(good, "picture_bytes", -1L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("picture_bytes");
        assertThatThrownBy(() -> driver.encode(new Reading("cam 1", "", "anpr_read", Map.of(), good.fields(),
                good.deviceTime(), RECEIVED_AT))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ipAddress");
        assertThatThrownBy(() -> new HikvisionAnprDriver(HikvisionAnprDriver.DeviceFrom.IP, "cam-1").encode(good))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fixed to cam-1");
    }

    @Test
    void factoryValidatesItsOptions() {
        HikvisionAnprDriverFactory factory = new HikvisionAnprDriverFactory();

        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("device_from", "serial"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("option device_from must be one of [channel_name, ip, mac], got 'serial'");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("device_from", "ip", "device", "x"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("options device and device_from exclude each other: give one");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("device", "a b"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device must be 1..64 characters of [A-Za-z0-9._:-], got \"a b\"");
        assertThatThrownBy(() -> factory.create(DriverOptions.of(Map.of("boundary", "x"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option boundary");
    }

    private static Reading with(Reading r, String name, Object value) {
        TreeMap<String, Object> fields = new TreeMap<>(r.fields());
        fields.put(name, value);
        return new Reading(r.deviceId(), r.site(), r.kind(), r.tags(), fields, r.deviceTime(), r.receivedAt());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
