package org.limes.drivers.radar.nmea;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** NmeaFields.parseDecimal reads every decimal isDecimal accepts exactly as Double.parseDouble does. */
class NmeaDecimalTest {

    @Property(tries = 3000)
    void agreesWithParseDouble(@ForAll("decimals") String v) {
        if (NmeaFields.isDecimal(v)) {
            assertThat(Double.doubleToRawLongBits(NmeaFields.parseDecimal(v))).as(v)
                    .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(v)));
        }
    }

    @Provide
    Arbitrary<String> decimals() {
        Arbitrary<String> sign = Arbitraries.of("", "-", "+");
        Arbitrary<String> whole = Arbitraries.strings().numeric().ofMaxLength(18);
        Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMaxLength(18);
        Arbitrary<Boolean> dot = Arbitraries.of(true, false);
        return net.jqwik.api.Combinators.combine(sign, whole, dot, fraction)
                .as((s, w, d, f) -> s + w + (d ? "." + f : ""));
    }
}
