package org.limes.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.limes.drivers.Drivers;
import org.limes.gateway.pipeline.DeviceConfig;
import org.limes.gateway.rules.GeofenceRuleConfig;
import org.limes.gateway.rules.GeofenceZone;
import org.limes.gateway.rules.RuleConfig;
import org.limes.gateway.rules.ThresholdRuleConfig;
import org.limes.gateway.rules.WatchlistRuleConfig;
import org.limes.gateway.sink.centre.MqttCentreConfig;
import org.limes.gateway.source.mqtt.MqttSourceConfig;

class ConfigLoaderTest {

    private static final String SOURCE = """
            sources:
              - type: mqtt
                name: devices
                topics:
                  - filter: crossing/+/counter/+
                    driver: counter-json
            """;

    private final ConfigLoader loader = new ConfigLoader(Drivers.load());

    private GatewayConfig parse(String yaml) {
        return loader.parse("test.yml", yaml);
    }

    @Test
    void minimalConfigLoadsWithDefaults() {
        GatewayConfig c = parse(SOURCE);

        assertThat(c.name()).isEqualTo("limes");
        assertThat(c.dataDir()).isEqualTo("./data");
        assertThat(c.mqtt().embedded()).isTrue();
        assertThat(c.mqtt().host()).isEqualTo("127.0.0.1");
        assertThat(c.mqtt().port()).isEqualTo(1883);
        assertThat(c.store().embedded()).isTrue();
        assertThat(c.store().httpPort()).isEqualTo(9000);
        assertThat(c.store().bucket()).isEqualTo("limes");
        assertThat(c.store().org()).isEqualTo("limes");
        assertThat(c.store().batchSize()).isEqualTo(1000);
        assertThat(c.store().retryInitialMs()).isEqualTo(250);
        assertThat(c.store().retryMaxMs()).isEqualTo(30_000);
        assertThat(c.admin().host()).isEqualTo("127.0.0.1");
        assertThat(c.admin().port()).isEqualTo(8080);
        assertThat(c.inventory().acceptUnknown()).isFalse();
        assertThat(c.inventory().defaultSite()).isEqualTo("unknown");
        assertThat(c.inventory().devices()).isEmpty();
        assertThat(c.rules()).isEmpty();
        assertThat(c.centres()).isEmpty();
        assertThat(c.outbox().maxBytes()).isEqualTo(1L << 30);
        assertThat(c.outbox().segmentBytes()).isEqualTo(64L << 20);
        assertThat(c.outbox().maxRecordBytes()).isEqualTo(1 << 20);
        assertThat(c.outbox().bufferBytes()).isEqualTo(4 << 20);
        assertThat(c.outbox().syncIntervalMs()).isEqualTo(5);
        assertThat(c.pipeline().shards()).isEqualTo(2);
        assertThat(c.pipeline().queueCapacity()).isEqualTo(4096);

        assertThat(c.sources()).singleElement().isInstanceOfSatisfying(MqttSourceConfig.class, s -> {
            assertThat(s.name()).isEqualTo("devices");
            assertThat(s.broker()).isNull();
            assertThat(s.clientId()).isEqualTo("limes-limes-source-devices");
            assertThat(s.maxInflight()).isEqualTo(1000);
            assertThat(s.sessionExpirySeconds()).isEqualTo(86400);
            assertThat(s.topics()).containsExactly(
                    new MqttSourceConfig.TopicRoute("crossing/+/counter/+", "counter-json", Map.of()));
        });
    }

    @Test
    void defaultClientIdsCarryTheGatewaysNameSoTwoCrossingsNeverShareASession() {
        String body = """
                sources:
                  - name: devices
                    type: mqtt
                    topics: [{filter: "crossing/#", driver: counter-json}]
                  - name: plc
                    type: mqtt
                    client_id: limes-plc
                    topics: [{filter: "plc/#", driver: counter-json}]
                centres:
                  - name: tripoli
                  - name: benghazi
                    client_id: bz-feed
                """;
        GatewayConfig a = parse("name: ras-ajdir\n" + body);
        GatewayConfig b = parse("name: wazin\n" + body);

        assertThat(a.sources()).map(MqttSourceConfig.class::cast).extracting(MqttSourceConfig::clientId)
                .containsExactly("limes-ras-ajdir-source-devices", "limes-plc");
        assertThat(b.sources()).map(MqttSourceConfig.class::cast).extracting(MqttSourceConfig::clientId)
                .containsExactly("limes-wazin-source-devices", "limes-plc");
        assertThat(a.centres()).map(MqttCentreConfig.class::cast).extracting(MqttCentreConfig::clientId)
                .containsExactly("limes-ras-ajdir-centre-tripoli", "bz-feed");
        assertThat(b.centres()).map(MqttCentreConfig.class::cast).extracting(MqttCentreConfig::clientId)
                .containsExactly("limes-wazin-centre-tripoli", "bz-feed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   \n", "# only a comment\n", "---\n", "~\n"})
    void emptyDocumentIsRejectedAsEmpty(String yaml) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessage("test.yml: is empty");
    }

    @Test
    void emptyMappingIsAllDefaults() {
        GatewayConfig c = parse("{}");

        assertThat(c.sources()).isEmpty();
        assertThat(c.name()).isEqualTo("limes");
    }

    @Test
    void fullConfigLoadsEverySection() {
        GatewayConfig c = parse("""
                name: ras-ajdir-gw
                data_dir: /var/lib/limes
                mqtt: {broker: "tcp://broker:1883"}
                store:
                  kind: influxdb
                  url: http://influx:8086
                  org: border
                  bucket: crossings
                  token_env: INFLUX_TOKEN
                admin: {host: 0.0.0.0, port: 0}
                sources:
                  - type: mqtt
                    name: devices
                    broker: ssl://broker:8883
                    client_id: gw-1
                    max_inflight: 10
                    session_expiry_seconds: 60
                    topics:
                      - {filter: "crossing/+/counter/+", driver: counter-json}
                inventory:
                  unknown_devices: accept
                  default_site: ras-ajdir
                  devices:
                    - id: cnt-01
                      site: ras-ajdir
                      class: counter
                      lane: "1"
                      location: {lat: 33.1, lon: 11.5}
                      tags: {direction: inbound}
                rules:
                  - type: threshold
                    id: queue-surge
                    kind: vehicle_count
                    field: count_total
                    raise_above: 40
                    clear_below: 25
                    severity: CRITICAL
                centres:
                  - name: tripoli
                  - name: benghazi
                    topic: centres/benghazi
                outbox: {max_bytes: 1048576, segment_bytes: 65536, max_record_bytes: 1024, buffer_bytes: 4096, sync_interval_ms: 2}
                pipeline: {shards: 4, queue_capacity: 16}
                """);

        assertThat(c.name()).isEqualTo("ras-ajdir-gw");
        assertThat(c.mqtt().embedded()).isFalse();
        assertThat(c.store().tokenEnv()).isEqualTo("INFLUX_TOKEN");
        assertThat(c.admin().port()).isZero();
        assertThat(c.inventory().acceptUnknown()).isTrue();
        assertThat(c.inventory().devices()).containsExactly(new DeviceConfig("cnt-01", "ras-ajdir", "counter", "1",
                new DeviceConfig.Location(33.1, 11.5), Map.of("direction", "inbound")));
        assertThat(c.rules()).containsExactly(
                new ThresholdRuleConfig("queue-surge", "vehicle_count", "count_total", 40.0, 25.0, "critical"));
        assertThat(c.centres()).map(MqttCentreConfig.class::cast)
                .extracting(MqttCentreConfig::name, MqttCentreConfig::topic, MqttCentreConfig::clientId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("tripoli", "limes/alerts/tripoli",
                                "limes-ras-ajdir-gw-centre-tripoli"),
                        org.assertj.core.groups.Tuple.tuple("benghazi", "centres/benghazi",
                                "limes-ras-ajdir-gw-centre-benghazi"));
        assertThat(c.outbox().bufferBytes()).isEqualTo(4096);
        assertThat(c.pipeline().shards()).isEqualTo(4);
    }

    @Test
    void tcpUdpAndHttpSourcesLoadWithTheirDefaults() {
        GatewayConfig c = parse("""
                sources:
                  - {type: tcp, name: counters-tcp, port: 0, driver: counter-json}
                  - {type: udp, name: counters-udp, port: 0, driver: counter-json}
                  - {type: http, name: ingest, port: 0, drivers: [{driver: counter-json}], token_env: INGEST_TOKEN}
                """);
        org.limes.gateway.source.tcp.TcpSourceConfig tcp = (org.limes.gateway.source.tcp.TcpSourceConfig)
                c.sources().get(0);
        assertThat(tcp.host()).isEqualTo("0.0.0.0");
        assertThat(tcp.framing()).isNull();
        assertThat(tcp.lengthFieldBytes()).isEqualTo(2);
        assertThat(tcp.byteOrder()).isEqualTo("big");
        assertThat(tcp.maxFrameBytes()).isEqualTo(65_536);
        assertThat(tcp.maxConnections()).isEqualTo(256);
        assertThat(tcp.maxConnectionsPerPeer()).isEqualTo(16);
        assertThat(tcp.idleTimeoutMs()).isEqualTo(300_000);
        assertThat(tcp.maxFramesPerSecond()).isEqualTo(1_000);
        assertThat(tcp.tls()).isNull();
        org.limes.gateway.source.udp.UdpSourceConfig udp = (org.limes.gateway.source.udp.UdpSourceConfig)
                c.sources().get(1);
        assertThat(udp.maxFrameBytes()).isEqualTo(65_507);
        assertThat(udp.receiveBufferBytes()).isEqualTo(4 * 1024 * 1024);
        org.limes.gateway.source.http.HttpSourceConfig http = (org.limes.gateway.source.http.HttpSourceConfig)
                c.sources().get(2);
        assertThat(http.maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(http.requestTimeoutMs()).isEqualTo(10_000);
        assertThat(http.ackTimeoutMs()).isEqualTo(30_000);
        assertThat(http.retryAfterSeconds()).isEqualTo(1);
        assertThat(c.sources()).extracting(s -> s.driverUses().get(0).driver()).containsOnly("counter-json");
    }

    @Test
    void aUdpSourceJoinsAMulticastGroupOnANamedInterfaceListeningOnAllAddresses() {
        GatewayConfig c = parse("""
                sources:
                  - {type: udp, name: radar-udp, port: 4002, driver: counter-json, multicast_group: 239.192.0.1,
                     multicast_interface: eth1}
                """);
        org.limes.gateway.source.udp.UdpSourceConfig udp = (org.limes.gateway.source.udp.UdpSourceConfig)
                c.sources().get(0);
        assertThat(udp.host()).isEqualTo("0.0.0.0");
        assertThat(udp.multicastGroup()).isEqualTo("239.192.0.1");
        assertThat(udp.multicastInterface()).isEqualTo("eth1");
    }

    static List<Arguments> invalid() {
        return List.of(
                // required fields
                bad("sources: [{type: mqtt, topics: [{filter: a, driver: counter-json}]}]",
                        "sources[0].name is required and must not be blank"),
                bad("sources: [{type: mqtt, name: s}]", "sources[0].topics is required"),
                bad("sources: [{type: mqtt, name: s, topics: []}]",
                        "sources[0].topics must list at least one filter"),
                bad("sources: [{type: mqtt, name: s, topics: [{driver: counter-json}]}]",
                        "sources[0].topics[0].filter is required and must not be blank"),
                bad("sources: [{type: mqtt, name: s, topics: [{filter: a}]}]",
                        "sources[0].topics[0].driver is required and must not be blank"),
                bad("inventory: {devices: [{site: s}]}", "inventory.devices[0].id is required and must not be blank"),
                bad("inventory: {devices: [{id: d}]}", "inventory.devices[0].site is required and must not be blank"),
                bad("inventory: {devices: [{id: d, site: s, location: {lat: 1}}]}",
                        "inventory.devices[0].location.lon is required"),
                bad("rules: [{type: threshold, kind: k, field: f, raise_above: 2, clear_below: 1}]",
                        "rules[0].id is required and must not be blank"),
                bad("rules: [{type: threshold, id: r, field: f, raise_above: 2, clear_below: 1}]",
                        "rules[0].kind is required and must not be blank"),
                bad("rules: [{type: threshold, id: r, kind: k, raise_above: 2, clear_below: 1}]",
                        "rules[0].field is required and must not be blank"),
                bad("rules: [{type: threshold, id: r, kind: k, field: f, clear_below: 1}]",
                        "rules[0].raise_above is required"),
                bad("rules: [{type: threshold, id: r, kind: k, field: f, raise_above: 1}]",
                        "rules[0].clear_below is required"),
                bad("centres: [{topic: t}]", "centres[0].name is required and must not be blank"),
                bad("store: {kind: influxdb, org: o, token_env: T}", "store.url is required and must not be blank"),
                bad("store: {kind: influxdb, url: 'http://i:8086', token_env: T}",
                        "store.org is required and must not be blank"),
                bad("store: {kind: influxdb, url: 'http://i:8086', org: o}",
                        "store.token_file or token_env (exactly one) is required with kind influxdb; "
                                + "tokens are never written inline"),
                bad("store: {kind: influxdb, url: 'http://i:8086', org: o, token_file: f, token_env: T}",
                        "store.token_file or token_env (exactly one) is required with kind influxdb; "
                                + "tokens are never written inline"),
                // ranges
                bad("inventory: {classes: {counter: {expected_interval: 2m}}, devices: [{id: d, site: s, "
                        + "class: countr}]}", "inventory.devices[0].class is 'countr', which classes does not define; "
                        + "defined: [counter]"),
                bad("admin: {port: forty}", "admin.port must be an integer, got 'forty'"),
                bad("admin: {port: 70000}", "admin.port must be 0..65535, got 70000"),
                bad("admin: {port: -1}", "admin.port must be 0..65535, got -1"),
                bad("admin: {token_file: f, token_env: T}", "admin.token_file and token_env are exclusive; give one"),
                bad("admin: {token_file: ' '}", "admin.token_file is required and must not be blank"),
                bad("admin: {host: ''}", "admin.host is required and must not be blank"),
                bad("mqtt: {port: 65536}", "mqtt.port must be 0..65535, got 65536"),
                bad("store: {http_port: 99999}", "store.http_port must be 0..65535, got 99999"),
                bad("store: {batch_size: 0}", "store.batch_size must be 1..100000, got 0"),
                bad("store: {linger_ms: -1}", "store.linger_ms must be 0..10000, got -1"),
                bad("store: {retry_initial_ms: 500, retry_max_ms: 100}",
                        "store.retry_max_ms must be 500..3600000, got 100"),
                bad("sources: [{type: mqtt, name: s, max_inflight: 0, topics: [{filter: a, driver: counter-json}]}]",
                        "sources[0].max_inflight must be 1..65535, got 0"),
                bad("sources: [{type: mqtt, name: s, session_expiry_seconds: 0, "
                        + "topics: [{filter: a, driver: counter-json}]}]",
                        "sources[0].session_expiry_seconds must be 1..4294967, got 0"),
                bad("pipeline: {shards: 0}", "pipeline.shards must be 1..256, got 0"),
                bad("pictures: {policy: archive}", "pictures.policy must be one of [drop, keep], got 'archive'"),
                bad("pictures: {max_bytes: 1000}", "pictures.max_bytes must be 1048576..9223372036854775807, got 1000"),
                bad("pictures: {max_reads: 0}", "pictures.max_reads must be 1..10000000, got 0"),
                bad("pictures: {max_age: 10s}", "pictures.max_age must be 1m..3650d, got '10s'"),
                bad("pictures: {max_age: forever}",
                        "pictures.max_age must be a duration with a unit (ms, s, m, h, d) like 60s, got 'forever'"),
                bad("pipeline: {queue_capacity: 8}", "pipeline.queue_capacity must be 16..1048576, got 8"),
                bad("outbox: {max_bytes: 1000}", "outbox.max_bytes must be 262144..9223372036854775807, got 1000"),
                bad("outbox: {max_bytes: 1048576, segment_bytes: 1048576}",
                        "outbox.segment_bytes must be 4096..65536, got 1048576"),
                bad("outbox: {max_record_bytes: 100}", "outbox.max_record_bytes must be 256..67108864, got 100"),
                bad("outbox: {max_record_bytes: 1024, buffer_bytes: 1024}",
                        "outbox.buffer_bytes must be 1088..1073741824, got 1024"),
                bad("outbox: {sync_interval_ms: 0}", "outbox.sync_interval_ms must be 1..10000, got 0"),
                bad("outbox: {alert_share_pct: 100}", "outbox.alert_share_pct must be 5..95, got 100"),
                bad("outbox: {max_age_s: -1}", "outbox.max_age_s must be 0..31536000, got -1"),
                bad("outbox: {ready_max_age_s: 0}", "outbox.ready_max_age_s must be 1..31536000, got 0"),
                bad("outbox: {drain_rate_per_s: -5}", "outbox.drain_rate_per_s must be 0 (unlimited) or above, got -5.0"),
                bad("centres: [{name: partner, routing: {severities: [urgent]}}]",
                        "centres[0].routing.severities must list info, warning or critical, got 'urgent'"),
                bad("store: {routing: {kinds: vehicle_count}}", "store.routing.kinds must be a list"),
                bad("inventory: {devices: [{id: d, site: s, location: {lat: 91, lon: 0}}]}",
                        "inventory.devices[0].location.lat must be -90..90, got 91.0"),
                bad("inventory: {devices: [{id: d, site: s, location: {lat: 0, lon: -181}}]}",
                        "inventory.devices[0].location.lon must be -180..180, got -181.0"),
                bad("rules: [{type: threshold, id: r, kind: k, field: f, raise_above: 80, clear_below: 90}]",
                        "rules[0].clear_below must be at most raise_above 80.0, got 90.0"),
                // enums and formats
                bad("sources: [{type: mqtt, name: s, topics: [{filter: a, driver: nope}]}]",
                        "sources[0].topics[0].driver must be one of " + org.limes.drivers.Drivers.load().names() + ", got 'nope'"),
                bad("sources: [{type: mqtt, name: s, topics: [{filter: a, driver: radar-nmea}]}]",
                        "sources[0].topics[0].options option device is required"),
                bad("sources: [{type: mqtt, name: s, topics: [{filter: a, driver: counter-csv}]}]",
                        "sources[0].topics[0].options option zone is required"),
                bad("sources: [{type: mqtt, name: s, topics: [{filter: a, driver: counter-csv, "
                        + "options: {zone: Mars/Olympus}}]}]",
                        "sources[0].topics[0].options option zone must be an IANA time zone id"),
                bad("sources: [{type: mqtt, name: s, topics: [{filter: a, driver: lineprotocol, "
                        + "options: {precision: h}}]}]",
                        "sources[0].topics[0].options option precision must be one of [ms, ns, s, us], got 'h'"),
                bad("sources: [{type: mqtt, name: s, topics: [{filter: a, driver: counter-json, options: {x: '1'}}]}]",
                        "sources[0].topics[0].options "),
                bad("inventory: {unknown_devices: maybe}",
                        "inventory.unknown_devices must be one of [accept, reject], got 'maybe'"),
                bad("store: {kind: postgres}", "store.kind must be one of [embedded, influxdb], got 'postgres'"),
                bad("rules: [{type: threshold, id: r, kind: k, field: f, raise_above: 2, clear_below: 1, "
                        + "severity: loud}]", "rules[0].severity must be one of [critical, info, warning], got 'loud'"),
                bad("centres: [{name: c, type: pigeon}]", "centres[0].type must be one of [cot, mqtt, sapient, webhook], got "
                        + "'pigeon'"),
                bad("centres: [{name: c, format: edxl}]", "centres[0].format must be one of [cap, cot, json], got "
                        + "'edxl'"),
                bad("centres: [{name: c, topic: 'a/+/b'}]", "centres[0].topic must not contain wildcards, got 'a/+/b'"),
                bad("centres: [{name: c, broker: 'http://x'}]",
                        "centres[0].broker must be 'embedded' or a URI like tcp://host:1883, got 'http://x'"),
                bad("mqtt: {broker: 'localhost:1883'}",
                        "mqtt.broker must be 'embedded' or a URI like tcp://host:1883, got 'localhost:1883'"),
                bad("name: 'has space'", "name must be 1-64 letters, digits or . _ : - , got 'has space'"),
                bad("sources: [{type: mqtt, name: s, client_id: 'a b', topics: [{filter: a, driver: counter-json}]}]",
                        "sources[0].client_id must be 1-64 letters, digits or . _ : - , got 'a b'"),
                bad("sources: [{type: kafka, name: s}]", "sources[0].type must be one of [http, mqtt, sapient, tcp, udp], got 'kafka'"),
                bad("sources: [{name: s}]", "sources[0].type is required, one of [http, mqtt, sapient, tcp, udp]"),
                bad("rules: [{type: rate, id: r}]",
                        "rules[0].type must be one of [deadman, geofence, rate_of_change, sapient_alert, threshold, time_integrity, watchlist], got 'rate'"),
                // rule kinds
                bad("rules: [{type: threshold, id: r, kind: k, field: f, raise_above: 2, clear_below: 1, for: 60}]",
                        "rules[0].for must be a duration with a unit (ms, s, m, h, d) like 60s, got '60'"),
                bad("rules: [{type: threshold, id: r, kind: k, field: f, raise_above: 2, clear_below: 1, for: 8d}]",
                        "rules[0].for must be 0s..7d, got '8d'"),
                bad("rules: [{type: threshold, id: r, kind: k, field: f, raise_above: 2, clear_below: 1, "
                        + "clear_for: soon}]", "rules[0].clear_for must be a duration"),
                bad("rules: [{type: threshold, id: r, kind: k, field: f, raise_above: 2, raise_below: 1}]",
                        "rules[0].raise_below cannot be combined with raise_above"),
                bad("rules: [{type: threshold, id: r, kind: k, field: f, raise_below: 2}]",
                        "rules[0].clear_above is required"),
                bad("rules: [{type: threshold, id: r, kind: k, field: f, raise_below: 2, clear_above: 1}]",
                        "rules[0].clear_above must be at least raise_below 2.0, got 1.0"),
                bad("rules: [{type: threshold, id: r, kind: k, field: f, raise_below: 2, clear_below: 3}]",
                        "rules[0].clear_above is required"),
                bad("rules: [{type: rate_of_change, id: r, kind: k, field: f, rise_by: 3}]",
                        "rules[0].window is required"),
                bad("rules: [{type: rate_of_change, id: r, kind: k, field: f, window: 10m}]",
                        "rules[0].rise_by must be given, or exactly one of fall_by, rise_factor, fall_factor; got 0"),
                bad("rules: [{type: rate_of_change, id: r, kind: k, field: f, window: 10m, rise_by: 1, "
                        + "rise_factor: 3}]", "rules[0].rise_by must be given, or exactly one of"),
                bad("rules: [{type: rate_of_change, id: r, kind: k, field: f, window: 10m, rise_factor: 0.5}]",
                        "rules[0].rise_factor must be above 1, got 0.5"),
                bad("rules: [{type: rate_of_change, id: r, kind: k, field: f, window: 10m, fall_by: 2, "
                        + "max_samples: 1}]", "rules[0].max_samples must be 2..4096, got 1"),
                bad("rules: [{type: rate_of_change, kind: k, field: f, window: 10m, fall_by: 2}]",
                        "rules[0].id is required"),
                bad("rules: [{type: deadman}]", "rules[0].id is required"),
                bad("rules: [{type: deadman, id: d, severity: loud}]",
                        "rules[0].severity must be one of [critical, info, warning], got 'loud'"),
                bad("inventory: {devices: [{id: a, site: s, class: counter}]}\nrules: [{type: deadman, id: silent}]",
                        "rules[0] (deadman 'silent') watches device 'a', which has no expected interval: set "
                                + "inventory.devices[0].expected_interval or inventory.classes.counter.expected_interval"),
                bad("inventory: {devices: [{id: a, site: s, expected_interval: 5}]}",
                        "inventory.devices[0].expected_interval must be a duration"),
                bad("inventory: {classes: {counter: {}}}", "inventory.classes.counter.expected_interval is required"),
                bad("inventory: {classes: {counter: {expected_interval: 0s}}}",
                        "inventory.classes.counter.expected_interval must be 1s..7d, got '0s'"),
                bad("rules: [{type: time_integrity, id: t, quarantine: keep}]",
                        "rules[0].quarantine must be one of [drop, store], got 'keep'"),
                bad("rules: [{type: time_integrity, id: t, max_skew: -1s}]", "rules[0].max_skew must be a duration"),
                bad("rules: [{type: time_integrity, id: t}, {type: time_integrity, id: u}]",
                        "rules[1].type time_integrity may be given once"),
                bad("rules_file: ''", "rules_file is required and must not be blank"),
                bad("rules_file: r.yml\nrules: [{type: deadman, id: d}]", "rules_file cannot be combined with rules"),
                // tcp, udp and http sources
                bad("sources: [{type: tcp, name: t, driver: counter-json}]", "sources[0].port is required"),
                bad("sources: [{type: tcp, name: t, port: 0}]", "sources[0].driver is required and must not be blank"),
                bad("sources: [{type: tcp, name: t, port: 70000, driver: counter-json}]",
                        "sources[0].port must be 0..65535, got 70000"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: nope}]",
                        "sources[0].driver must be one of " + org.limes.drivers.Drivers.load().names() + ", got 'nope'"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, options: {x: '1'}}]",
                        "sources[0].options unknown option x"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, framing: slip}]",
                        "sources[0].framing must be one of [asterix, length_prefixed, newline], got 'slip'"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, length_field_bytes: 3}]",
                        "sources[0].length_field_bytes must be 1, 2 or 4, got 3"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, byte_order: middle}]",
                        "sources[0].byte_order must be one of [big, little], got 'middle'"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, max_frame_bytes: 8}]",
                        "sources[0].max_frame_bytes must be 16..16777216, got 8"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, max_connections: 0}]",
                        "sources[0].max_connections must be 1..65535, got 0"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, idle_timeout_ms: 10}]",
                        "sources[0].idle_timeout_ms must be 1000..86400000, got 10"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, max_frames_per_second: 0}]",
                        "sources[0].max_frames_per_second must be 1..1000000, got 0"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, devices_by_peer: {radar.local: r}}]",
                        "sources[0].devices_by_peer key 'radar.local' must be an IP address or a CIDR block"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, devices_by_peer: {'10.0.0.0/33': r}}]",
                        "sources[0].devices_by_peer key '10.0.0.0/33' must be an IP address or a CIDR block"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, devices_by_peer: {'10.0.0.1': r-1}}]",
                        "sources[0].devices_by_peer cannot be used with driver counter-json, which reads the device "
                                + "from the payload"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, tls: {key_file: k}}]",
                        "sources[0].tls.cert_file and key_file go together"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, tls: {client_ca_file: ca}}]",
                        "sources[0].tls.cert_file is required for a listener"),
                bad("sources: [{type: http, name: h, port: 0, drivers: [{driver: counter-json}], token_sha256: abc}]",
                        "sources[0].token_sha256 must be 64 hex digits"),
                bad("sources: [{type: http, name: h, port: 0, drivers: [{driver: counter-json}], tls: {cert_file: c, "
                        + "key_file: k, client_ca_file: ca}}]",
                        "sources[0].tls.client_ca_file needs inventory.devices"),
                bad("sources: [{type: mqtt, name: m, topics: [{filter: a/#, driver: counter-json}], "
                        + "identity_from: clientid}]",
                        "sources[0].identity_from must be 'username' or 'topic_level:<n>', got 'clientid'"),
                bad("sources: [{type: mqtt, name: m, topics: [{filter: a/#, driver: counter-json}], password_env: P}]",
                        "sources[0].username is required with password_file or password_env"),
                bad("sources: [{type: mqtt, name: m, topics: [{filter: a/#, driver: counter-json}], "
                        + "tls: {ca_file: ca.pem}}]", "sources[0].tls needs an ssl:// or wss:// broker"),
                bad("sources: [{type: mqtt, name: m, broker: 'ssl://b:8883', topics: [{filter: a/#, "
                        + "driver: counter-json}], tls: {client_ca_file: ca.pem}}]",
                        "sources[0].tls.client_ca_file is for listeners"),
                bad("limits: {max_tags_per_reading: 0}", "limits.max_tags_per_reading must be 1..1024, got 0"),
                bad("limits: {max_string_chars: 2}", "limits.max_string_chars must be 8..65536, got 2"),
                bad("limits: {max_readings_per_second_per_device: 0}",
                        "limits.max_readings_per_second_per_device must be 1..1000000, got 0"),
                bad("store: {pseudonymise_plates: {}}",
                        "store.pseudonymise_plates.key_file or key_env (exactly one) is required"),
                bad("store: {pseudonymise_plates: {key_file: f, key: abc}}",
                        "store.pseudonymise_plates.key is not a known key"),
                bad("sources: [{type: http, name: h, port: 0, drivers: [{driver: counter-json}], tls: {ca_file: ca, "
                        + "cert_file: c, key_file: k}}]", "sources[0].tls.ca_file is for client links"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, tls: {cert_file: c, key_file: k, "
                        + "require_client_cert: true}}]",
                        "sources[0].tls.client_ca_file is required when require_client_cert is true"),
                bad("sources: [{type: tcp, name: t, port: 0, driver: counter-json, tls: {cert_file: c, key_file: k, "
                        + "client_ca_file: ca}}]",
                        "sources[0].tls.client_ca_file needs inventory.devices"),
                bad("sources: [{type: udp, name: u, port: 0, driver: counter-json, max_frame_bytes: 70000}]",
                        "sources[0].max_frame_bytes must be 16..65507, got 70000"),
                bad("sources: [{type: udp, name: u, port: 0, driver: counter-json, multicast_group: 10.0.0.1, "
                        + "multicast_interface: eth0}]",
                        "sources[0].multicast_group must be an IPv4 multicast address (224.0.0.0/4), got '10.0.0.1'"),
                bad("sources: [{type: udp, name: u, port: 0, driver: counter-json, multicast_group: 239.1.1.1}]",
                        "sources[0].multicast_interface is required and must not be blank"),
                bad("sources: [{type: udp, name: u, port: 0, driver: counter-json, multicast_group: 239.1, "
                        + "multicast_interface: eth0}]",
                        "sources[0].multicast_group must be an IPv4 multicast address (224.0.0.0/4), got '239.1'"),
                bad("sources: [{type: udp, name: u, port: 0, driver: counter-json, multicast_group: 'ff02::1', "
                        + "multicast_interface: eth0}]",
                        "sources[0].multicast_group must be an IPv4 multicast address (224.0.0.0/4), got 'ff02::1'"),
                bad("sources: [{type: udp, name: u, port: 0, driver: counter-json, multicast_group: radar.local, "
                        + "multicast_interface: eth0}]",
                        "sources[0].multicast_group must be an IPv4 multicast address (224.0.0.0/4), got "
                                + "'radar.local'"),
                bad("sources: [{type: udp, name: u, port: 0, driver: counter-json, multicast_interface: eth0}]",
                        "sources[0].multicast_interface needs multicast_group"),
                bad("sources: [{type: udp, name: u, host: 192.0.2.2, port: 0, driver: counter-json, "
                        + "multicast_group: 239.1.1.1, multicast_interface: eth0}]",
                        "sources[0].host must be 0.0.0.0 with a multicast_group (bound to a unicast address, the "
                                + "socket receives no multicast), got '192.0.2.2'"),
                bad("sources: [{type: udp, name: u, port: 0, driver: counter-json, receive_buffer_bytes: 10}]",
                        "sources[0].receive_buffer_bytes must be 65536..268435456, got 10"),
                bad("sources: [{type: http, name: h, port: 0}]", "sources[0].drivers is required"),
                bad("sources: [{type: http, name: h, port: 0, drivers: []}]",
                        "sources[0].drivers must list at least one driver"),
                bad("sources: [{type: http, name: h, port: 0, drivers: [{driver: nope}]}]",
                        "sources[0].drivers[0].driver must be one of " + Drivers.load().names() + ", got 'nope'"),
                bad("sources: [{type: http, name: h, port: 0, drivers: [{driver: counter-json}], max_body_bytes: 1}]",
                        "sources[0].max_body_bytes must be 64..67108864, got 1"),
                bad("sources: [{type: http, name: h, port: 0, drivers: [{driver: counter-json}], token_file: f, "
                        + "token_env: E}]",
                        "sources[0].token_file, token_env and token_sha256 are exclusive; give one"),
                bad("sources: [{type: http, name: h, port: 0, drivers: [{driver: counter-json}], token: inline}]",
                        "sources[0].token is not a known key"),
                // uniqueness
                bad(SOURCE.replace("sources:\n", "sources:\n  - {type: mqtt, name: devices, topics: "
                        + "[{filter: x, driver: counter-json}]}\n"), "sources[1].name must be unique, 'devices' is used twice"),
                bad("inventory: {devices: [{id: d, site: s}, {id: e, site: s}, {id: d, site: t}]}",
                        "inventory.devices[2].id must be unique, 'd' is listed twice"),
                bad("rules: [{type: threshold, id: r, kind: k, field: f, raise_above: 2, clear_below: 1}, "
                        + "{type: threshold, id: r, kind: k, field: g, raise_above: 2, clear_below: 1}]",
                        "rules[1].id must be unique, 'r' is used twice"),
                bad("centres: [{name: a}, {name: a}]", "centres[1].name must be unique and not 'store', got 'a'"),
                bad("centres: [{name: store}]", "centres[0].name must be unique and not 'store', got 'store'"),
                // types
                bad("admin: {port: eighty}", "admin.port must be an integer, got 'eighty'"),
                bad("admin: {port: 80.5}", "admin.port must be an integer"),
                bad("sources: {type: mqtt}", "sources must be a list"),
                bad("admin: 8080", "admin must be a"));
    }

    private static Arguments bad(String yaml, String message) {
        return Arguments.of(yaml, message);
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidConfigNamesFilePathAndValue(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yml: " + message);
    }

    @Test
    void exceptionCarriesFileAndPath() {
        assertThatThrownBy(() -> parse("admin: {port: 70000}"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.file()).isEqualTo("test.yml");
                    assertThat(e.path()).isEqualTo("admin.port");
                });
    }

    @Test
    void unknownKeyIsRejectedNamingItsPathAndTheExpectedKeys() {
        assertThatThrownBy(() -> parse("admin: {host: h, prot: 1}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: admin.prot is not a known key; expected one of [host, port, token_env, token_file]");
        assertThatThrownBy(() -> parse("""
                sources:
                  - type: mqtt
                    name: s
                    topics:
                      - {filter: a, driver: counter-json, qos: 1}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessage("test.yml: sources[0].topics[0].qos is not a known key; expected one of "
                        + "[driver, filter, options]");
        assertThatThrownBy(() -> parse("colour: blue"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yml: colour is not a known key; expected one of [admin, centres, "
                        + "cluster, data_dir, inventory, limits, mqtt, name, outbox, pictures, pipeline, rules, rules_file, "
                        + "sources, store]");
    }

    @Test
    void duplicateKeysAreRejected() {
        assertThatThrownBy(() -> parse("admin: {port: 1}\nadmin: {port: 2}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yml: is not valid YAML at line 2")
                .hasMessageContaining("'admin'");
        assertThatThrownBy(() -> parse("admin: {port: 1, port: 2}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'port'");
    }

    @Test
    void nonYamlTextIsRejectedWithTheLine() {
        // The syntax error is inside a section: it must still read as a syntax error, not as a bad admin value.
        assertThatThrownBy(() -> parse("name: limes\nadmin: {port: 1\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yml: is not valid YAML at line ")
                .hasMessageContaining("flow mapping");
        assertThatThrownBy(() -> parse("name: limes\n\tadmin: x\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yml: is not valid YAML at line ")
                .hasMessageContaining("line 2, column 1");
        assertThatThrownBy(() -> parse("just some text"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.yml: must be a gateway section");
    }

    @Test
    void rulesFileIsReadRelativeToTheConfigAndItsErrorsNameIt(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("gw.yml");
        Files.writeString(config, """
                inventory:
                  classes: {counter: {expected_interval: 2m}}
                  devices:
                    - {id: cnt-01, site: s, class: counter}
                    - {id: cnt-02, site: s, class: counter, expected_interval: 30s}
                rules_file: rules.yml
                """);
        Path rules = dir.resolve("rules.yml");
        Files.writeString(rules, """
                - {type: deadman, id: silent}
                - {type: time_integrity, id: clock, max_skew: 10s, quarantine: drop}
                - {type: rate_of_change, id: flow, kind: vehicle_count, field: count_total, window: 10m, rise_factor: 3}
                - {type: threshold, id: surge, kind: vehicle_count, field: count_total, raise_above: 40, clear_below: 20, for: 60s}
                """);

        GatewayConfig c = loader.load(config);

        assertThat(c.rulesFile()).isEqualTo(rules.toString());
        assertThat(c.rules()).extracting(RuleConfig::id).containsExactly("silent", "clock", "flow", "surge");
        assertThat(c.inventory().expectedIntervalMs(c.inventory().devices().get(0))).isEqualTo(120_000);
        assertThat(c.inventory().expectedIntervalMs(c.inventory().devices().get(1))).isEqualTo(30_000);

        Files.writeString(rules, "- {type: threshold, id: surge, kind: vehicle_count, raise_above: 40}\n");
        assertThatThrownBy(() -> loader.load(config)).isInstanceOf(ConfigException.class)
                .hasMessage(rules + ": [0].field is required and must not be blank");
        assertThatThrownBy(() -> loader.loadRules(rules, c.inventory())).isInstanceOf(ConfigException.class)
                .hasMessage(rules + ": [0].field is required and must not be blank");
        Files.writeString(rules, "- {type: deadman, id: a}\n- {type: deadman, id: a}\n");
        assertThatThrownBy(() -> loader.loadRules(rules, c.inventory()))
                .hasMessage(rules + ": [1].id must be unique, 'a' is used twice");
        Files.writeString(rules, "- {type: deadman, id: a\n");
        assertThatThrownBy(() -> loader.loadRules(rules, c.inventory()))
                .hasMessageStartingWith(rules + ": is not valid YAML at line");
        Files.writeString(rules, "# no rules yet\n");
        assertThat(loader.loadRules(rules, c.inventory())).isEmpty();
        Files.delete(rules);
        assertThatThrownBy(() -> loader.load(config)).hasMessageStartingWith(rules + ": cannot be read");
    }

    @Test
    void geofenceAndWatchlistFilesAreReadRelativeToTheFileTheRuleIsIn(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("gw.yml");
        Files.createDirectories(dir.resolve("zones"));
        Files.writeString(dir.resolve("zones/z.geojson"), """
                {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "z1"},
                 "geometry": {"type": "Polygon", "coordinates": [[[11.0, 32.0], [11.1, 32.0], [11.1, 32.1], [11.0, 32.0]]]}}]}
                """);
        Files.writeString(dir.resolve("plates.txt"), "5-123456,stolen\n");
        Files.writeString(config, """
                rules:
                  - {type: geofence, id: fence, zones_file: zones/z.geojson, classes: [person], track_timeout: 2m}
                  - {type: watchlist, id: plates, list_file: plates.txt, fold_confusables: true, passage_window: 45s}
                """);

        GatewayConfig c = loader.load(config);

        GeofenceRuleConfig g = (GeofenceRuleConfig) c.rules().get(0);
        assertThat(g.zonesFile()).isEqualTo(dir.resolve("zones/z.geojson").toString());
        assertThat(g.zones()).extracting(GeofenceZone::name).containsExactly("z1");
        assertThat(g.classes()).containsExactly("person");
        assertThat(g.trackTimeoutMs()).isEqualTo(120_000);
        assertThat(g.maxTracks()).isEqualTo(10_000);
        WatchlistRuleConfig w = (WatchlistRuleConfig) c.rules().get(1);
        assertThat(w.list().reason("5123456")).isEqualTo("stolen");
        assertThat(w.passageWindowMs()).isEqualTo(45_000);
        assertThat(w.foldConfusables()).isTrue();
        assertThat(loader.load(config)).as("equal when read again, so a reload keeps the rules").isEqualTo(c);

        Files.writeString(config, "rules_file: rules/r.yml\n");
        Files.createDirectories(dir.resolve("rules"));
        Files.writeString(dir.resolve("rules/r.yml"), "- {type: watchlist, id: plates, list_file: ../plates.txt}\n");
        assertThat(((WatchlistRuleConfig) loader.load(config).rules().get(0)).list().size()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "{type: geofence, id: f}                                          | rules[0].zones_file is required",
        "{type: geofence, id: f, zones_file: nowhere.geojson}             | rules[0].zones_file names ",
        "{type: geofence, id: f, zones_file: z.geojson, classes: [horse]} | rules[0].classes[0] must be one of [person, unknown, vehicle], got 'horse'",
        "{type: geofence, id: f, zones_file: z.geojson, classes: []}      | rules[0].classes must name at least one",
        "{type: geofence, id: f, zones_file: z.geojson, track_timeout: 0s} | rules[0].track_timeout must be 1s..1h, got '0s'",
        "{type: geofence, id: f, zones_file: z.geojson, max_tracks: 0}    | rules[0].max_tracks must be 1..1000000, got 0",
        "{type: geofence, id: f, zones_file: z.geojson, zones: []}        | rules[0].zones is not a known key",
        "{type: watchlist, id: w}                                         | rules[0].list_file is required",
        "{type: watchlist, id: w, list_file: missing.txt}                 | rules[0].list_file names ",
        "{type: watchlist, id: w, list_file: l.txt, passage_window: 2h}   | rules[0].passage_window must be 1s..1h, got '2h'",
        "{type: watchlist, id: w, list_file: l.txt, fold_confusables: maybe} | rules[0].fold_confusables must be true or false",
        "{type: watchlist, id: w, list_file: l.txt, list: {}}             | rules[0].list is not a known key",
    })
    void geofenceAndWatchlistConfigErrorsNameThePath(String rule, String message, @TempDir Path dir)
            throws Exception {
        Files.writeString(dir.resolve("z.geojson"), "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": "
                + "\"Feature\", \"properties\": {\"name\": \"z\"}, \"geometry\": {\"type\": \"Polygon\", "
                + "\"coordinates\": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}");
        Files.writeString(dir.resolve("l.txt"), "5-1\n");
        Path config = dir.resolve("gw.yml");
        Files.writeString(config, "rules:\n  - " + rule + "\n");
        assertThatThrownBy(() -> loader.load(config)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(config + ": " + message);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "'{\"type\": \"Feature\"}'                                   | : must be a GeoJSON FeatureCollection",
        "'{\"type\": \"FeatureCollection\", \"features\": []}'        | : features must be a non-empty list",
        "'{\"type\": \"FeatureCollection\", \"features\": [{'         | : is not valid JSON at line 1",
        "'{\"type\": \"FeatureCollection\", \"features\": [FEATURE, {\"type\": \"Feature\", \"properties\": {}, \"geometry\": GEOM}]}' | : features[1].properties.name is required",
        "'{\"type\": \"FeatureCollection\", \"features\": [FEATURE, FEATURE]}' | : features[1].properties.name must be unique, 'a' is used twice",
        "'{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {\"name\": \"a\"}, \"geometry\": {\"type\": \"Point\", \"coordinates\": [1, 2]}}]}' | : features[0].geometry.type must be Polygon or MultiPolygon, got 'Point'",
        "'{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {\"name\": \"a\"}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}}]}' | : features[0].geometry.coordinates[0] must be a closed ring (last position = first)",
        "'{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {\"name\": \"a\"}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [1, 0], [0, 0]]]}}]}' | : features[0].geometry.coordinates[0] must be a ring of at least 4 positions",
        "'{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {\"name\": \"a\"}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [1, 0], [1, 91], [0, 0]]]}}]}' | : features[0].geometry.coordinates[0][2] latitude must be -90..90, got 91",
        "'{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", \"properties\": {\"name\": \"a\"}, \"geometry\": {\"type\": \"MultiPolygon\", \"coordinates\": [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[200, 0], [1, 0], [1, 1], [200, 0]]]]}}]}' | : features[0].geometry.coordinates[1][0][0] longitude must be -180..180, got 200",
    })
    void badZonesFilesNameTheFileAndTheFeature(String geojson, String message, @TempDir Path dir) throws Exception {
        String feature = "{\"type\": \"Feature\", \"properties\": {\"name\": \"a\"}, \"geometry\": GEOM}";
        String geometry = "{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}";
        Path zones = dir.resolve("bad.geojson");
        Files.writeString(zones, geojson.replace("FEATURE", feature).replace("GEOM", geometry));
        Path config = dir.resolve("gw.yml");
        Files.writeString(config, "rules:\n  - {type: geofence, id: f, zones_file: bad.geojson}\n");
        assertThatThrownBy(() -> loader.load(config)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(zones + message);
    }

    @Test
    void everyFileInTheConfigFolderLoads() throws Exception {
        Path folder = Path.of("..", "config");
        List<Path> files;
        try (var list = Files.list(folder)) {
            files = list.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("demo.yml", "gateway.example.yml");
        for (Path f : files) {
            GatewayConfig c = loader.load(f);
            assertThat(c.rules()).as("%s has rules", f).isNotEmpty();
        }
    }

    @Test
    void loadNamesTheFileItCannotRead(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.yml");
        assertThatThrownBy(() -> loader.load(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(missing + ": cannot be read");

        Path file = dir.resolve("gw.yml");
        Files.writeString(file, "admin: {port: 70000}\n");
        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ": admin.port must be 0..65535, got 70000");
    }
}
