package org.limes.gateway.source.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.gateway.source.MosquittoProcess;
import org.limes.gateway.source.PipelineFixture;
import org.limes.gateway.source.SourceMetrics;
import org.limes.gateway.source.TestPki;
import org.limes.gateway.tls.TlsConfig;

/**
 * The MQTT source against a real Mosquitto with TLS, passwords and an ACL that lets a device
 * publish only under its own user name ({@code pattern write crossing/+/counter/%u}): the
 * source verifies the broker, authenticates with a password from a file, and takes the
 * device id from that topic level, so a device reporting as another is dropped. A wrong
 * password or an untrusted broker certificate never connects. Skipped without Mosquitto.
 */
class MqttSourceSecurityIT {

    @TempDir
    Path dir;

    private MosquittoProcess broker;
    private int port;
    private TestPki pki;
    private PipelineFixture fixture;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void startBroker() throws Exception {
        assumeTrue(MosquittoProcess.installed(), "Mosquitto not installed");
        pki = new TestPki(dir);
        Path[] server = pki.server();
        Path passwd = dir.resolve("passwd");
        MosquittoProcess.passwd(passwd, "limes-gw", "gw-pass-31f9");
        MosquittoProcess.passwd(passwd, "cnt-01", "dev-pass-8c2e");
        Path acl = Files.writeString(dir.resolve("acl"), """
                user limes-gw
                topic read crossing/#
                pattern write crossing/+/counter/%u
                """);
        port = MosquittoProcess.freePort();
        broker = MosquittoProcess.start(dir, """
                allow_anonymous false
                password_file %s
                acl_file %s
                persistence false
                log_dest stderr
                listener %d 127.0.0.1
                cafile %s
                certfile %s
                keyfile %s
                """.formatted(passwd, acl, port, pki.caFile(), server[0], server[1]),
                new InetSocketAddress("127.0.0.1", port));
        fixture = new PipelineFixture(dir.resolve("pipeline"), 64);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (fixture != null) {
            fixture.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aDeviceMayOnlyReportAsItselfOverAnAuthenticatedTlsLink() throws Exception {
        Path password = Files.writeString(dir.resolve("gw.password"), "gw-pass-31f9\n");
        MqttSource source = source("secure", new TlsConfig(pki.caFile().toString(), null, null), "limes-gw",
                password);
        await().atMost(Duration.ofSeconds(20)).until(source::ready);

        MqttClient device = device("cnt-01", "dev-pass-8c2e");
        publish(device, "crossing/ras-ajdir/counter/cnt-01", PipelineFixture.counterJson("cnt-01", 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.stored() == 1);

        // Its own topic, another device's id in the payload: the pipeline drops it.
        publish(device, "crossing/ras-ajdir/counter/cnt-01", PipelineFixture.counterJson("cnt-02", 2));
        // Another device's topic: the broker's ACL refuses it.
        try {
            publish(device, "crossing/ras-ajdir/counter/cnt-02", PipelineFixture.counterJson("cnt-02", 3));
        } catch (MqttException refused) {
            assertThat(refused.getReasonCode()).isEqualTo(0x87);
        }
        publish(device, "crossing/ras-ajdir/counter/cnt-01", PipelineFixture.counterJson("cnt-01", 4));
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.stored() == 2);
        assertThat(fixture.count("limes.dropped", "reason", "identity_mismatch")).isEqualTo(1);
        assertThat(fixture.storedLines()).allSatisfy(l -> assertThat(l).contains("device=cnt-01"));
    }

    @Test
    void aWrongPasswordOrAnUntrustedBrokerNeverConnects() throws Exception {
        Path wrong = Files.writeString(dir.resolve("wrong.password"), "not-the-password\n");
        MqttSource badPassword = source("bad-password", new TlsConfig(pki.caFile().toString(), null, null),
                "limes-gw", wrong);
        TestPki other = new TestPki(Files.createDirectories(dir.resolve("other")));
        Path right = Files.writeString(dir.resolve("gw.password"), "gw-pass-31f9\n");
        MqttSource untrusted = source("untrusted", new TlsConfig(other.caFile().toString(), null, null),
                "limes-gw", right);
        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.count("limes.errors", "component",
                "source-bad-password") >= 1 && fixture.count("limes.errors", "component", "source-untrusted") >= 1);
        assertThat(badPassword.ready()).isFalse();
        assertThat(untrusted.ready()).isFalse();
    }

    private MqttSource source(String name, TlsConfig tls, String user, Path password) throws Exception {
        MqttSourceConfig config = new MqttSourceConfig(name, null, null, List.of(new MqttSourceConfig.TopicRoute(
                "crossing/+/counter/+", "counter-json", null)), 16, 60, tls, user, password.toString(), null,
                "topic_level:3", null, null);
        MqttSource source = new MqttSource(config, "ssl://127.0.0.1:" + port, fixture.drivers, fixture.pipeline,
                new SourceMetrics(fixture.registry, name), Clock.systemUTC());
        open.add(source);
        source.start();
        return source;
    }

    private MqttClient device(String user, String password) throws Exception {
        MqttClient c = new MqttClient("ssl://127.0.0.1:" + port, "device-" + user, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(user);
        o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        o.setSocketFactory(pki.client(null).getSocketFactory());
        c.connect(o);
        open.add(() -> {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        });
        return c;
    }

    private static void publish(MqttClient c, String topic, String json) throws MqttException {
        MqttMessage m = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        c.publish(topic, m);
    }
}
