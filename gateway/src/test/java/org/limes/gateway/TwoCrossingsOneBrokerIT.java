package org.limes.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.limes.drivers.Drivers;
import org.limes.gateway.config.ConfigLoader;
import org.limes.gateway.embedded.EmbeddedBroker;
import org.slf4j.LoggerFactory;

/**
 * Two crossings on one shared broker (a centre's): gateways with different names and data
 * folders, each with an MQTT source named {@code devices} and a centre named {@code tripoli}.
 * Client ids are broker session keys; if the two gateways' ids coincided, each connect would
 * take over the other's session and both would disconnect and reconnect in a loop.
 */
class TwoCrossingsOneBrokerIT {

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger limes = (Logger) LoggerFactory.getLogger("org.limes");

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        limes.detachAppender(logs);
        logs.stop();
    }

    @Test
    void twoGatewaysOnOneBrokerBothStayConnected() throws Exception {
        logs.start();
        limes.addAppender(logs);
        EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"), "127.0.0.1", 0);
        open.add(broker);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path token = Files.writeString(dir.resolve("token"), "t");
        Drivers drivers = Drivers.load();
        List<Gateway> gateways = new ArrayList<>();
        for (String name : List.of("ras-ajdir", "wazin")) {
            String yaml = """
                    name: %s
                    data_dir: %s
                    mqtt:
                      broker: %s
                    store:
                      kind: influxdb
                      url: http://127.0.0.1:%d
                      org: limes
                      token_file: %s
                    admin:
                      host: 127.0.0.1
                      port: 0
                    sources:
                      - name: devices
                        type: mqtt
                        topics:
                          - filter: "crossing/%s/counter/+"
                            driver: counter-json
                    centres:
                      - name: tripoli
                        topic: test/centre/tripoli
                    """.formatted(name, dir.resolve(name).toString().replace("\\", "/"), broker.uri(), closedPort,
                    token.toString().replace("\\", "/"), name);
            Gateway g = Gateway.start(new ConfigLoader(drivers).parse(name + ".yml", yaml), drivers,
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Clock.systemUTC());
            open.add(g);
            gateways.add(g);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> gateways.stream().allMatch(Gateway::sourcesReady));
        await().atMost(Duration.ofSeconds(30)).until(() -> count("centre tripoli: connected") >= 2);

        // Once both are connected, nobody is disconnected and nobody connects again.
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(messages()).noneMatch(m -> m.contains("disconnected"));
            assertThat(count("centre tripoli: connected")).isEqualTo(2);
            assertThat(count("source devices: connected")).isEqualTo(2);
        });
    }

    private long count(String prefix) {
        return messages().stream().filter(m -> m.startsWith(prefix)).count();
    }

    private List<String> messages() {
        synchronized (logs) {
            return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
