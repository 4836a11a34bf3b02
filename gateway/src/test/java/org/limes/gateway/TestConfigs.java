package org.limes.gateway;

import java.nio.file.Path;

/** YAML gateway configurations for tests: ephemeral ports, a temporary data folder. */
public final class TestConfigs {

    private TestConfigs() {
    }

    /**
     * A gateway with four counters cnt-01..cnt-04, the queue-surge threshold rule, and the
     * two centres on the device broker.
     *
     * @param mqttSection  the {@code mqtt:} section body, e.g. {@code broker: embedded\n  port: 0}
     * @param storeSection the {@code store:} section body
     * @param adminPort    the admin port, 0 for any free one
     */
    public static String gateway(Path data, String mqttSection, String storeSection, int adminPort) {
        return gateway(data, mqttSection, storeSection, adminPort, """
                  - name: tripoli
                    topic: test/centre/tripoli
                  - name: benghazi
                    topic: test/centre/benghazi
                """);
    }

    /** As {@link #gateway(Path, String, String, int)} with the given {@code centres:} list items. */
    public static String gateway(Path data, String mqttSection, String storeSection, int adminPort, String centres) {
        return """
                name: test-gw
                data_dir: %s
                mqtt:
                  %s
                store:
                  %s
                admin:
                  host: 127.0.0.1
                  port: %d
                sources:
                  - name: devices
                    type: mqtt
                    client_id: limes-test-gw
                    topics:
                      - filter: "crossing/+/counter/+"
                        driver: counter-json
                inventory:
                  devices:
                    - {id: cnt-01, site: ras-ajdir, class: counter, lane: "1", location: {lat: 32.88, lon: 11.55}}
                    - {id: cnt-02, site: ras-ajdir, class: counter, lane: "2"}
                    - {id: cnt-03, site: ras-ajdir, class: counter, lane: "3"}
                    - {id: cnt-04, site: ras-ajdir, class: counter, lane: "4"}
                rules:
                  - id: queue-surge
                    type: threshold
                    kind: vehicle_count
                    field: count_total
                    raise_above: 40
                    clear_below: 20
                centres:
                %s
                outbox:
                  max_bytes: 67108864
                  segment_bytes: 1048576
                  sync_interval_ms: 5
                """.formatted(data.toString().replace("\\", "/"), mqttSection, storeSection, adminPort,
                centres.stripTrailing());
    }
}
