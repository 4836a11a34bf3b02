package org.limes.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.limes.drivers.Drivers;
import org.limes.gateway.sink.centre.CotCentreConfig;
import org.limes.gateway.sink.centre.MqttCentreConfig;
import org.limes.gateway.sink.centre.WebhookCentreConfig;
import org.limes.gateway.tls.TlsConfig;

/** The {@code centres:} section through the real loader: every type, every check, and the path each error names. */
class CentreConfigLoaderTest {

    private final ConfigLoader loader = new ConfigLoader(Drivers.load());

    private GatewayConfig parse(String yaml) {
        return loader.parse("centres.yml", yaml);
    }

    @Test
    void everyTypeLoadsWithItsSettings() {
        GatewayConfig c = parse("""
                centres:
                  - name: tripoli
                    type: mqtt
                    broker: ssl://alerts.tripoli.example:8883
                    format: cap
                    qos: 2
                    tls: {ca_file: /etc/limes/tripoli-ca.pem, cert_file: /etc/limes/gw.pem, key_file: /etc/limes/gw.key}
                    username: ras-ajdir
                    password_file: /etc/limes/tripoli.pass
                    cap: {sender: limes@ras-ajdir.example, status: exercise, restriction: Centres only}
                  - name: benghazi
                    type: webhook
                    url: https://alerts.benghazi.example/limes
                    format: json
                    headers: {X-Crossing: ras-ajdir}
                    token_env: BENGHAZI_TOKEN
                    timeout_ms: 5000
                    tls: {ca_file: /etc/limes/benghazi-ca.pem}
                  - name: tak
                    type: cot
                    host: tak.example
                    port: 8089
                    tls: {ca_file: /etc/limes/tak-ca.pem}
                    cot: {types: {critical: b-a-o-tbl}, stale_seconds: 3600}
                  - name: legacy
                """);
        MqttCentreConfig mqtt = (MqttCentreConfig) c.centres().get(0);
        assertThat(mqtt.format()).isEqualTo("cap");
        assertThat(mqtt.qos()).isEqualTo(2);
        assertThat(mqtt.tls()).isEqualTo(new TlsConfig("/etc/limes/tripoli-ca.pem", "/etc/limes/gw.pem",
                "/etc/limes/gw.key"));
        assertThat(mqtt.cap().status()).isEqualTo("Exercise");
        assertThat(mqtt.cap().sender()).isEqualTo("limes@ras-ajdir.example");
        WebhookCentreConfig webhook = (WebhookCentreConfig) c.centres().get(1);
        assertThat(webhook.headers()).isEqualTo(Map.of("X-Crossing", "ras-ajdir"));
        assertThat(webhook.timeoutMs()).isEqualTo(5000);
        assertThat(webhook.allowInsecureHttp()).isFalse();
        assertThat(webhook.retryMaxMs()).isEqualTo(30_000);
        CotCentreConfig cot = (CotCentreConfig) c.centres().get(2);
        assertThat(cot.format()).isEqualTo("cot");
        assertThat(cot.cot().types()).containsEntry("critical", "b-a-o-tbl").containsEntry("warning", "b-m-p-s-m");
        assertThat(cot.cot().staleSeconds()).isEqualTo(3600);
        MqttCentreConfig legacy = (MqttCentreConfig) c.centres().get(3);
        assertThat(legacy.type()).isEqualTo("mqtt");
        assertThat(legacy.format()).isEqualTo("json");
        assertThat(legacy.qos()).isEqualTo(1);
    }

    static List<Arguments> invalid() {
        return List.of(
                bad("{name: c, type: kafka}", "centres[0].type must be one of [cot, mqtt, sapient, webhook], got 'kafka'"),
                bad("{name: c, qos: 0}", "centres[0].qos must be 1..2, got 0"),
                bad("{name: c, pseudonymise_plates: {}}",
                        "centres[0].pseudonymise_plates.key_file or key_env (exactly one) is required"),
                bad("{name: c, type: webhook, url: 'https://c/alerts', pseudonymise_plates: {key: k}}",
                        "centres[0].pseudonymise_plates.key_file or key_env (exactly one) is required; keys are "
                                + "never written inline"),
                bad("{name: c, format: cot, cap: {sender: x}}",
                        "centres[0].cap applies only with format: cap, and format is cot"),
                bad("{name: c, format: cap, cap: {sender: 'limes gw'}}",
                        "centres[0].cap.sender must be non-empty without spaces, commas, '<' or '&', got 'limes gw'"),
                bad("{name: c, format: cap, cap: {status: Draft}}",
                        "centres[0].cap.status must be one of [Actual, Exercise, Test], got 'Draft'"),
                bad("{name: c, format: cap, cap: {colour: red}}", "centres[0].cap.colour is not a known key"),
                bad("{name: c, tls: {ca_file: ca.pem}}",
                        "centres[0].tls needs an ssl:// or wss:// broker, and the centre's broker is 'embedded'"),
                bad("{name: c, broker: 'ssl://b:8883', tls: {cert_file: c.pem}}",
                        "centres[0].tls.cert_file and key_file go together: give both or neither"),
                bad("{name: c, broker: 'ssl://b:8883', tls: {client_ca_file: ca.pem}}",
                        "centres[0].tls.client_ca_file is for listeners"),
                bad("{name: c, password_env: P}",
                        "centres[0].username is required with password_file or password_env"),
                bad("{name: c, username: u, password_env: P, password_file: f}",
                        "centres[0].password_file and password_env are exclusive: give one"),
                bad("{name: c, password: hunter2}", "centres[0].password is not a known key"),
                bad("{name: c, url: 'https://x'}", "centres[0].url is not a known key"),
                bad("{name: c, type: webhook}", "centres[0].url is required and must not be blank"),
                bad("{name: c, type: webhook, url: 'http://centre.example/a'}",
                        "centres[0].url must be https:// (alerts cross networks; set allow_insecure_http: true only "
                                + "for tests or a relay on this host), got 'http://centre.example/a'"),
                bad("{name: c, type: webhook, url: 'ftp://centre.example/a'}",
                        "centres[0].url must be a URL like https://host/path, got 'ftp://centre.example/a'"),
                bad("{name: c, type: webhook, url: 'https://x', headers: {Authorization: 'Bearer abc'}}",
                        "centres[0].headers.Authorization cannot be set here (secrets never go inline"),
                bad("{name: c, type: webhook, url: 'https://x', headers: {'bad header': v}}",
                        "centres[0].headers.bad header is not a valid header name"),
                bad("{name: c, type: webhook, url: 'https://x', token_env: T, token_file: f}",
                        "centres[0].token_file and token_env are exclusive: give one"),
                bad("{name: c, type: webhook, url: 'https://x', timeout_ms: 10}",
                        "centres[0].timeout_ms must be 100..600000, got 10"),
                bad("{name: c, type: webhook, url: 'http://x', allow_insecure_http: true, tls: {ca_file: a}}",
                        "centres[0].tls applies only to an https:// url"),
                bad("{name: c, type: webhook, url: 'https://x', topic: t}", "centres[0].topic is not a known key"),
                bad("{name: c, type: cot, port: 8087}", "centres[0].host is required and must not be blank"),
                bad("{name: c, type: cot, host: h}", "centres[0].port is required"),
                bad("{name: c, type: cot, host: h, port: 70000}", "centres[0].port must be 1..65535, got 70000"),
                bad("{name: c, type: cot, host: h, port: 8087, format: cap}",
                        "centres[0].format must be one of [cot], got 'cap'"),
                bad("{name: c, type: cot, host: h, port: 8087, cot: {stale_seconds: 1}}",
                        "centres[0].cot.stale_seconds must be 60..2592000, got 1"),
                bad("{name: c, type: cot, host: h, port: 8087, cot: {types: {critical: 'x y'}}}",
                        "centres[0].cot.types.critical must be a CoT type like b-a-o-c or a-u-G, got 'x y'"));
    }

    private static Arguments bad(String centre, String message) {
        return Arguments.of("centres:\n  - " + centre + "\n", message);
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidCentreNamesFilePathAndValue(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("centres.yml: " + message);
    }
}
