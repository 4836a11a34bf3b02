package org.limes.drivers.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.limes.drivers.DecodeException;
import org.limes.drivers.Driver;
import org.limes.drivers.Frame;
import org.limes.drivers.Reading;
import org.limes.drivers.camera.hikvision.HikvisionAnprDriver;
import org.limes.drivers.camera.json.CameraJsonDriver;

/**
 * A plate is personal data: no camera driver's error (which the pipeline logs at WARN and an
 * HTTP answer returns) may quote one, however the plate is malformed.
 */
class CameraErrorsCarryNoPlateTest {

    /** Recognisable in any message; "PLATE" alone would match the field names. */
    private static final String SECRET = "LEAKQQ";

    private static final String HIK = """
            <EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">\
            <ipAddress>10.20.0.31</ipAddress><dateTime>2026-11-26T06:00:00Z</dateTime>\
            <eventType>ANPR</eventType><ANPR><licensePlate>PLATE</licensePlate></ANPR></EventNotificationAlert>""";

    @ParameterizedTest
    @ValueSource(strings = {
        "5-123456-" + SECRET + "-0123456789012345678901234567890", // too long
        "5-" + SECRET + "&#1;",                                     // a control character
        "5-&" + SECRET + ";",                                       // an undeclared entity
        "5-" + SECRET + "<b>",                                      // unclosed markup
        "5-" + SECRET + "</ANPR>",                                  // mismatched end tag
    })
    void hikvisionErrorsDoNotQuoteThePlate(String plate) {
        assertNoPlate(new HikvisionAnprDriver(), HIK.replace("PLATE", plate));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\"5-123456-" + SECRET + "-0123456789012345678901234567890\"", // too long
        "\"5-" + SECRET + "\\u0001\"",                                  // a control character
        SECRET + "123",                                                  // not quoted
        "\"5-" + SECRET,                                                 // not closed
        "[\"" + SECRET + "\"]",                                          // not a string
        "\"  \"",                                                        // blank (nothing to leak; must still fail)
    })
    void cameraJsonErrorsDoNotQuoteThePlate(String plate) {
        assertNoPlate(new CameraJsonDriver(), "{\"type\":\"anpr_read\",\"device\":\"cam-01\","
                + "\"time\":\"2026-11-26T06:00:00Z\",\"plate\":" + plate + ",\"confidence_pct\":90}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"camera-json", "camera-hikvision"})
    void encodersRefusingAPlateDoNotQuoteIt(String name) {
        Driver driver = name.equals("camera-json") ? new CameraJsonDriver() : new HikvisionAnprDriver();
        Reading bad = new Reading("10.20.0.31", "", "anpr_read", Map.of(),
                Map.of("plate", " 5-" + SECRET + "\u0001-0123456789012345678901234567890 "),
                Instant.parse("2026-11-26T06:00:00Z"), Instant.parse("2026-11-26T06:00:01Z"));
        Throwable t = catchThrowable(() -> driver.encode(bad));
        assertThat(t).isInstanceOf(IllegalArgumentException.class);
        assertThat(t.getMessage()).contains("plate").doesNotContain(SECRET);
    }

    private static void assertNoPlate(Driver driver, String body) {
        Throwable t = catchThrowable(() -> driver.decode(new Frame(body.getBytes(StandardCharsets.UTF_8), "test",
                "test", Instant.parse("2026-11-26T06:00:01Z"), null)));
        assertThat(t).as(body).isInstanceOf(DecodeException.class);
        assertThat(t.getMessage()).as(body).doesNotContain(SECRET).doesNotContain("LEAK");
    }
}
