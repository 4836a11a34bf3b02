package org.limes.drivers.lineprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.limes.drivers.Reading;

class LineProtocolEncoderTest {

    private static final Instant T = Instant.parse("2025-11-26T06:00:00Z");
    private static final long T_NANOS = 1_764_136_800_000_000_000L;

    private static Reading reading(String kind, String site, Map<String, String> tags, Map<String, Object> fields) {
        return new Reading("cnt-01", site, kind, tags, fields, T, T.plusSeconds(1));
    }

    private static Reading withField(Object value) {
        return reading("m", "", Map.of(), Map.of("f", value));
    }

    /** The field value as written, between "f=" and the timestamp. */
    private static String fieldText(Object value) {
        String line = LineProtocolEncoder.encode(withField(value));
        String prefix = "m,device=cnt-01 f=";
        String suffix = " " + T_NANOS;
        assertThat(line).startsWith(prefix).endsWith(suffix);
        return line.substring(prefix.length(), line.length() - suffix.length());
    }

    @Test
    void writesMeasurementTagsFieldsAndTimestamp() {
        Reading r = reading("vehicle_count", "ras-ajdir", Map.of("lane", "1"),
                Map.of("count_total", 18L, "avg_speed_mps", 6.5, "ok", true, "note", "x"));

        assertThat(LineProtocolEncoder.encode(r)).isEqualTo(
                "vehicle_count,device=cnt-01,lane=1,site=ras-ajdir "
                        + "avg_speed_mps=6.5,count_total=18i,note=\"x\",ok=t 1764136800000000000");
    }

    @Test
    void measurementEscapesCommaAndSpaceButNotEquals() {
        Reading r = reading("a,b c=d", "", Map.of(), Map.of("f", 1L));

        assertThat(LineProtocolEncoder.encode(r)).startsWith("a\\,b\\ c=d,device=cnt-01 f=1i ");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "a,b      | a\\,b",
        "a=b      | a\\=b",
        "'a b'    | a\\ b",
        "'x, =y'  | x\\,\\ \\=y",
        "plain    | plain",
        "quo\"te  | quo\"te",
    })
    void tagKeysTagValuesAndFieldKeysEscapeCommaEqualsAndSpace(String raw, String escaped) {
        Reading r = reading("m", "", Map.of(raw, raw), Map.of(raw, 1L));

        String expectedTag = escaped.compareTo("device") < 0
                ? "m," + escaped + "=" + escaped + ",device=cnt-01"
                : "m,device=cnt-01," + escaped + "=" + escaped;
        assertThat(LineProtocolEncoder.encode(r))
                .isEqualTo(expectedTag + " " + escaped + "=1i " + T_NANOS);
    }

    @Test
    void stringFieldValuesEscapeDoubleQuoteAndBackslashOnly() {
        assertThat(fieldText("say \"hi\" \\ there, a=b")).isEqualTo("\"say \\\"hi\\\" \\\\ there, a=b\"");
        assertThat(fieldText("")).isEqualTo("\"\"");
        assertThat(fieldText("\\")).isEqualTo("\"\\\\\"");
    }

    @Test
    void longsGetTheIntegerSuffix() {
        assertThat(fieldText(0L)).isEqualTo("0i");
        assertThat(fieldText(-42L)).isEqualTo("-42i");
        assertThat(fieldText(Long.MAX_VALUE)).isEqualTo("9223372036854775807i");
        assertThat(fieldText(Long.MIN_VALUE)).isEqualTo("-9223372036854775808i");
    }

    @Test
    void booleansAreTOrF() {
        assertThat(fieldText(true)).isEqualTo("t");
        assertThat(fieldText(false)).isEqualTo("f");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.0, 0.1, 1.0 / 3, 64.0, -273.15, 1e-300, 4.9e-324, 1.7976931348623157e308,
        123456789.123456789, 1e21, 2.5e-7, Math.PI})
    void doublesReadBackIdenticalAndAreNeverIntegers(double value) {
        String text = fieldText(value);

        assertThat(Double.doubleToRawLongBits(Double.parseDouble(text))).isEqualTo(Double.doubleToRawLongBits(value));
        // Without a decimal point or exponent, the value would still be a float, but an "i"
        // would make it an integer: make sure nothing of the kind sneaks in.
        assertThat(text).doesNotEndWith("i").matches("-?[0-9]+(\\.[0-9]+)?([eE]-?[0-9]+)?");
    }

    @Test
    void deviceAndSiteAreMergedIntoSortedTagOrder() {
        Map<String, String> tags = Map.of("a", "1", "direction", "in", "lane", "2", "zone", "z", "device_class",
                "counter", "site_gate", "g");
        Reading r = reading("m", "ras-ajdir", tags, Map.of("f", 1L));

        assertThat(LineProtocolEncoder.encode(r)).isEqualTo("m,a=1,device=cnt-01,device_class=counter,direction=in,"
                + "lane=2,site=ras-ajdir,site_gate=g,zone=z f=1i " + T_NANOS);
    }

    @Test
    void deviceAndSiteComeLastWhenEveryTagSortsBefore() {
        Reading r = reading("m", "s", Map.of("a", "1", "b", "2"), Map.of("f", 1L));

        assertThat(LineProtocolEncoder.encode(r)).isEqualTo("m,a=1,b=2,device=cnt-01,site=s f=1i " + T_NANOS);
    }

    @Test
    void deviceAndSiteComeFirstWhenEveryTagSortsAfter() {
        Reading r = reading("m", "s", Map.of("x", "1", "y", "2"), Map.of("f", 1L));

        assertThat(LineProtocolEncoder.encode(r)).isEqualTo("m,device=cnt-01,site=s,x=1,y=2 f=1i " + T_NANOS);
    }

    @Test
    void readingTagsNamedDeviceOrSiteDoNotDuplicateOrOverrideThem() {
        Reading r = reading("m", "real-site", Map.of("device", "spoof", "site", "spoof"), Map.of("f", 1L));

        assertThat(LineProtocolEncoder.encode(r)).isEqualTo("m,device=cnt-01,site=real-site f=1i " + T_NANOS);
    }

    @Test
    void emptyTagValuesAndAnEmptySiteAreOmitted() {
        Reading r = reading("m", "", Map.of("a", "", "lane", "1", "z", ""), Map.of("f", 1L));

        assertThat(LineProtocolEncoder.encode(r)).isEqualTo("m,device=cnt-01,lane=1 f=1i " + T_NANOS);
    }

    @Test
    void newlinesNeverEndTheLineAndBecomeSpaces() {
        Reading r = reading("m\nx", "s\r\nt", Map.of("k\ny", "v\rw"), Map.of("f\nk", "a\nb\r"));

        String line = LineProtocolEncoder.encode(r);

        assertThat(line).doesNotContain("\n").doesNotContain("\r").isEqualTo(
                "m\\ x,device=cnt-01,k\\ y=v\\ w,site=s\\ \\ t f\\ k=\"a b \" " + T_NANOS);
    }

    @Test
    void encodeHasNoTrailingNewlineAndAppendReadingAppends() {
        Reading r = reading("m", "", Map.of(), Map.of("f", 1L));
        StringBuilder sb = new StringBuilder("first\n");

        LineProtocolEncoder.appendReading(sb, r);

        assertThat(LineProtocolEncoder.encode(r)).isEqualTo("m,device=cnt-01 f=1i " + T_NANOS);
        assertThat(sb.toString()).isEqualTo("first\nm,device=cnt-01 f=1i " + T_NANOS);
    }

    @ParameterizedTest
    @CsvSource({
        "2025-11-26T06:00:00Z,                1764136800000000000",
        "2025-11-26T06:00:00.123456789Z,      1764136800123456789",
        "2025-11-26T06:00:00.000000001Z,      1764136800000000001",
        "1970-01-01T00:00:00Z,                0",
        "1969-12-31T23:59:59.5Z,              -500000000",
        "2262-04-11T23:47:16.854775807Z,      9223372036854775807",
    })
    void timestampsAreNanosecondsSinceTheEpoch(String instant, long nanos) {
        Instant t = Instant.parse(instant);
        Reading r = new Reading("d", "", "m", Map.of(), Map.of("f", 1L), t, T);

        assertThat(LineProtocolEncoder.nanos(t)).isEqualTo(nanos);
        assertThat(LineProtocolEncoder.encode(r)).endsWith(" " + nanos);
    }

    @Test
    void appendPointOmitsEmptyTagValuesAndEscapesLikeReadings() {
        Map<String, String> tags = new TreeMap<>(Map.of("device", "d 1", "rule", "r,1", "site", ""));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("alert_id", "r,1/d 1/0");
        fields.put("value", 64.0);
        StringBuilder sb = new StringBuilder();

        LineProtocolEncoder.appendPoint(sb, "alert", tags, fields, T);

        assertThat(sb.toString()).isEqualTo(
                "alert,device=d\\ 1,rule=r\\,1 alert_id=\"r,1/d 1/0\",value=64.0 " + T_NANOS);
    }
}
