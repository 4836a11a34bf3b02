package org.limes.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.limes.drivers.Drivers;

/**
 * Hostile configuration text: whatever the file holds, loading it either succeeds or fails
 * with a {@link ConfigException} naming the file — never another exception, never a hang.
 */
class ConfigLoaderPropertiesTest {

    private static final ConfigLoader LOADER = new ConfigLoader(Drivers.load());

    /** Fragments of real configurations, so the generator reaches past the YAML parser. */
    private static final List<String> TOKENS = List.of("name: ", "sources:", "\n", "\n  ", "\n    ", "- ", "type: ",
            "mqtt", "tcp", "udp", "http", "port: ", "0", "65536", "-1", "driver: ", "counter-json", "radar-asterix",
            "tls: {", "}", "cert_file: ", "client_ca_file: ", "x.pem", "token_sha256: ", "identity_from: ",
            "topic_level:", "username", "limits: {", "max_string_chars: ", "inventory:", "devices:", "- {id: ",
            "cnt-01", "rules:", "raise_above: ", "1e309", "store: {", "pseudonymise_plates: {", "key_file: ", "&a ",
            "*a", "!!binary ", "'", "\"", "[", "]", ",", ":", "#", "? ", "%YAML 1.2\n", "---\n", "...\n", "~",
            "null", "true", "\t", "${X}", "ðŸ", "\u0000");

    @Provide
    Arbitrary<String> configText() {
        Arbitrary<String> token = Arbitraries.oneOf(Arbitraries.of(TOKENS), Arbitraries.strings().ofMaxLength(8));
        return token.list().ofMaxSize(60).map(l -> String.join("", l));
    }

    @Property(tries = 2000)
    void anyTextLoadsOrFailsWithAConfigExceptionNamingTheFile(@ForAll("configText") String text) {
        Throwable thrown = catchThrowable(() -> LOADER.parse("fuzz.yml", text));
        if (thrown != null) {
            assertThat(thrown).isInstanceOf(ConfigException.class);
            assertThat(thrown.getMessage()).startsWith("fuzz.yml");
        }
    }
}
