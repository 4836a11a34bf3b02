package org.limes.gateway.sink.centre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.limes.gateway.outbox.DestinationQueue;
import org.limes.gateway.outbox.Outbox;
import org.limes.gateway.outbox.OutboxCommitter;
import org.limes.gateway.outbox.OutboxRecord;
import org.limes.gateway.outbox.TestQueues;
import org.limes.gateway.rules.Alert;
import org.limes.gateway.rules.AlertJson;
import org.limes.gateway.rules.AlertState;
import org.limes.gateway.sink.SinkMetrics;
import org.limes.gateway.source.MosquittoProcess;
import org.limes.gateway.source.TestPki;
import org.limes.gateway.testing.MqttTestSubscriber;
import org.limes.gateway.tls.TlsConfig;

/**
 * The MQTT centre sink against a real Mosquitto that takes only TLS and authenticated
 * clients, with an ACL letting the gateway's user write only under {@code limes/alerts/}:
 * alerts reach the centre at QoS 1, in order, with a password read from a file or with a
 * client certificate the broker requires; a broker that is not trusted (foreign CA, the
 * JVM's roots, another host name), a wrong password and a publish the broker refuses never
 * deliver, the alerts stay queued and flow once the link is put right. A subscriber of the
 * centre's over TLS records everything published. Skipped without Mosquitto.
 */
class MqttCentreTlsIT {

    private static final String GATEWAY_PASSWORD = "gw-centre-pass-5a1d";
    private static final String TOPIC = "limes/alerts/tripoli";
    /** How long a link that must not deliver is watched. */
    private static final Duration QUIET = Duration.ofMillis(750);

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private TestPki pki;
    private MosquittoProcess broker;
    /** Password listener on 127.0.0.1. */
    private int passwordPort;
    /** Client-certificate listener on 127.0.0.1. */
    private int certificatePort;
    /** Password listener on 127.0.0.2, whose certificate names only 127.0.0.1 and localhost. */
    private int otherHostPort;
    private OutboxCommitter committer;

    private record Received(String topic, int qos, Alert alert) {
    }

    /** One centre's outbox and the sink draining it. */
    private record Centre(Outbox alerts, DestinationQueue queue, SinkMetrics metrics) {
    }

    @BeforeEach
    void startBroker() throws Exception {
        assumeTrue(MosquittoProcess.installed(), "Mosquitto not installed");
        pki = new TestPki(Files.createDirectories(dir.resolve("pki")));
        Path[] server = pki.server();
        Path passwd = dir.resolve("passwd");
        MosquittoProcess.passwd(passwd, "limes-gw", GATEWAY_PASSWORD);
        MosquittoProcess.passwd(passwd, "centre-ops", "centre-pass-77b0");
        Path acl = Files.writeString(dir.resolve("acl"), """
                user limes-gw
                topic write limes/alerts/#
                user centre-ops
                topic read #
                """);
        passwordPort = MosquittoProcess.freePort();
        certificatePort = MosquittoProcess.freePort();
        otherHostPort = MosquittoProcess.freePort();
        String tls = "cafile %s\ncertfile %s\nkeyfile %s\n".formatted(pki.caFile(), server[0], server[1]);
        broker = MosquittoProcess.start(dir, """
                allow_anonymous false
                password_file %s
                acl_file %s
                persistence false
                log_dest stderr
                listener %d 127.0.0.1
                %slistener %d 127.0.0.1
                %srequire_certificate true
                use_identity_as_username true
                listener %d 127.0.0.2
                %s""".formatted(passwd, acl, passwordPort, tls, certificatePort, tls, otherHostPort, tls),
                new InetSocketAddress("127.0.0.1", passwordPort), new InetSocketAddress("127.0.0.1", certificatePort),
                new InetSocketAddress("127.0.0.2", otherHostPort));
        subscribe();
        committer = new OutboxCommitter(2);
        committer.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (committer != null) {
            committer.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void alertsReachTheCentreOverTlsAtQos1InOrderWithThePasswordFromAFile() throws Exception {
        Centre centre = centre("tripoli");
        for (int n = 1; n <= 5; n++) {
            append(centre, n);
        }
        start(centre, config("tripoli", TOPIC, new TlsConfig(pki.caFile().toString(), null, null), "limes-gw",
                passwordFile(GATEWAY_PASSWORD)), "ssl://127.0.0.1:" + passwordPort);

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 5);
        assertThat(received).extracting(Received::topic).containsOnly(TOPIC);
        assertThat(received).extracting(Received::qos).containsOnly(1);
        assertThat(received).extracting(r -> r.alert().device()).containsExactly("cnt-01", "cnt-02", "cnt-03",
                "cnt-04", "cnt-05");
        await().atMost(Duration.ofSeconds(5)).until(() -> centre.queue().depth() == 0);
        assertThat(centre.alerts().acknowledgedSeq()).isEqualTo(5);
        assertThat(centre.metrics().deliveredCount()).isEqualTo(5);
        assertThat(errors("tripoli", "connect")).isZero();
    }

    @Test
    void aBrokerThatRequiresAClientCertificateGetsTheConfiguredOneAndRefusesALinkWithout() throws Exception {
        Path[] identity = pki.clientFiles("limes-gw");
        Centre withCertificate = centre("tripoli");
        Centre without = centre("benghazi");
        append(withCertificate, 1);
        append(withCertificate, 2);
        append(without, 3);
        start(without, config("benghazi", "limes/alerts/benghazi", new TlsConfig(pki.caFile().toString(), null,
                null), null, null), "ssl://127.0.0.1:" + certificatePort);
        start(withCertificate, config("tripoli", TOPIC, new TlsConfig(pki.caFile().toString(), identity[0].toString(),
                identity[1].toString()), null, null), "ssl://127.0.0.1:" + certificatePort);

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
        assertThat(received).extracting(r -> r.alert().device()).containsExactly("cnt-01", "cnt-02");
        await().atMost(Duration.ofSeconds(5)).until(() -> withCertificate.queue().depth() == 0);
        // The link without a certificate is refused, and its alert waits.
        await().atMost(Duration.ofSeconds(5)).until(() -> errors("benghazi", "connect") >= 1);
        await().during(QUIET).atMost(QUIET.multipliedBy(3))
                .until(() -> received.size() == 2 && without.queue().depth() == 1);
        assertThat(without.metrics().deliveredCount()).isZero();
    }

    /** A link that must never deliver, and the setting that puts it right. */
    enum BadLink {
        FOREIGN_CA, JVM_ROOTS, OTHER_HOST_NAME, WRONG_PASSWORD
    }

    @ParameterizedTest
    @EnumSource(BadLink.class)
    void anUntrustedOrUnauthenticatedLinkNeverDeliversAndItsAlertsWaitForTheRightOne(BadLink bad) throws Exception {
        TlsConfig trusted = new TlsConfig(pki.caFile().toString(), null, null);
        String password = passwordFile(GATEWAY_PASSWORD);
        String uri = "ssl://127.0.0.1:" + passwordPort;
        MqttCentreConfig wrong = switch (bad) {
            case FOREIGN_CA -> config("tripoli", TOPIC, new TlsConfig(new TestPki(Files.createDirectories(
                    dir.resolve("foreign"))).caFile().toString(), null, null), "limes-gw", password);
            case JVM_ROOTS -> config("tripoli", TOPIC, null, "limes-gw", password);
            case OTHER_HOST_NAME -> config("tripoli", TOPIC, trusted, "limes-gw", password);
            case WRONG_PASSWORD -> config("tripoli", TOPIC, trusted, "limes-gw", passwordFile("not-the-password"));
        };
        Centre centre = centre("tripoli");
        for (int n = 1; n <= 3; n++) {
            append(centre, n);
        }
        CentreSink sink = start(centre, wrong, bad == BadLink.OTHER_HOST_NAME ? "ssl://127.0.0.2:" + otherHostPort
                : uri);

        await().atMost(Duration.ofSeconds(5)).until(() -> errors("tripoli", "connect") >= 1);
        await().during(QUIET).atMost(QUIET.multipliedBy(3))
                .until(() -> received.isEmpty() && centre.queue().depth() == 3);
        // It keeps trying: the alerts are never given up.
        await().atMost(Duration.ofSeconds(5)).until(() -> errors("tripoli", "connect") >= 2);
        assertThat(centre.metrics().deliveredCount()).isZero();
        assertThat(centre.alerts().acknowledgedSeq()).isZero();

        sink.close();
        start(centre, config("tripoli", TOPIC, trusted, "limes-gw", password), uri);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);
        assertThat(received).extracting(r -> r.alert().device()).containsExactly("cnt-01", "cnt-02", "cnt-03");
        await().atMost(Duration.ofSeconds(5)).until(() -> centre.queue().depth() == 0);
    }

    @Test
    void aPublishTheBrokerRefusesIsNotTakenForDeliveredAndWaitsForTheRightTopic() throws Exception {
        TlsConfig trusted = new TlsConfig(pki.caFile().toString(), null, null);
        String password = passwordFile(GATEWAY_PASSWORD);
        String uri = "ssl://127.0.0.1:" + passwordPort;
        Centre centre = centre("tripoli");
        append(centre, 1);
        append(centre, 2);
        // The ACL lets the gateway write only under limes/alerts/: Mosquitto answers PUBACK "not authorised" (0x87).
        CentreSink sink = start(centre, config("tripoli", "limes/elsewhere/tripoli", trusted, "limes-gw", password),
                uri);

        await().atMost(Duration.ofSeconds(5)).until(() -> errors("tripoli", "refused") >= 1);
        await().during(QUIET).atMost(QUIET.multipliedBy(3))
                .until(() -> received.isEmpty() && centre.queue().depth() == 2);
        assertThat(centre.metrics().deliveredCount()).isZero();
        assertThat(errors("tripoli", "connect")).isZero();

        sink.close();
        start(centre, config("tripoli", TOPIC, trusted, "limes-gw", password), uri);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
        assertThat(received).extracting(r -> r.alert().device()).containsExactly("cnt-01", "cnt-02");
        await().atMost(Duration.ofSeconds(5)).until(() -> centre.queue().depth() == 0);
    }

    private static MqttCentreConfig config(String name, String topic, TlsConfig tls, String user, String password) {
        return new MqttCentreConfig(name, "mqtt", null, null, topic, 1, null, tls, user, password, null, null, null,
                null, null);
    }

    private Centre centre(String name) throws IOException {
        DestinationQueue queue = TestQueues.open(dir, name, committer, registry);
        return new Centre(queue.alerts(), queue, new SinkMetrics(registry, name));
    }

    private CentreSink start(Centre centre, MqttCentreConfig config, String uri) {
        CentreSink sink = new CentreSink(config, uri, "ras-ajdir-gw", centre.queue(), centre.metrics(),
                Clock.systemUTC());
        open.add(sink);
        sink.start();
        return sink;
    }

    private static void append(Centre centre, int n) throws InterruptedException {
        Instant raised = Instant.parse("2026-11-26T06:30:00Z").plusSeconds(n);
        Alert a = Alert.builder()
                .alertId("queue-surge/cnt-0" + n + "/" + raised.toEpochMilli())
                .rule("queue-surge")
                .state(AlertState.RAISED)
                .severity("critical")
                .site("ras-ajdir")
                .device("cnt-0" + n)
                .subjectKind("device")
                .subject("cnt-0" + n)
                .kind("vehicle_count")
                .field("count_total")
                .value(64.0)
                .threshold(40.0)
                .firstSeen(raised)
                .lastSeen(raised)
                .raisedAt(raised)
                .at(raised)
                .tags(Map.of("lane", "1"))
                .build();
        centre.alerts().append(OutboxRecord.ALERT, AlertJson.encode(a, "ras-ajdir-gw"));
    }

    private String passwordFile(String password) throws IOException {
        Path file = Files.createTempFile(dir, "centre", ".password");
        Files.writeString(file, password + "\n");
        return file.toString();
    }

    private double errors(String centre, String errorType) {
        Counter c = registry.find("limes.errors").tags("component", "sink-" + centre, "error_type", errorType)
                .counter();
        return c == null ? 0 : c.count();
    }

    /** The centre's own subscriber: every message on every topic, over TLS trusting the test CA. */
    private void subscribe() throws Exception {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName("centre-ops");
        o.setPassword("centre-pass-77b0".getBytes(StandardCharsets.UTF_8));
        o.setSocketFactory(pki.client(null).getSocketFactory());
        MqttTestSubscriber client = MqttTestSubscriber.start("ssl://127.0.0.1:" + passwordPort, "centre-ops", o,
                List.of("#"), (topic, message) -> received.add(new Received(topic, message.getQos(),
                        AlertJson.decode(message.getPayload()))));
        open.add(client);
        assertThat(client.granted()).containsExactly(1);
    }
}
