package org.limes.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.limes.simulator.scenario.DeviceGroupConfig;
import org.limes.simulator.scenario.Scenario;
import org.limes.simulator.transport.TargetConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code limes-simulator fleet}: an ad-hoc mix of devices without a scenario file, every
 * device reporting every {@code --every}, all to one target. Over MQTT each kind has its
 * own topic ({@code crossing/<site>/<kind>/<device>}), so one broker takes the whole mix.
 */
@Command(
        name = "fleet",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        showDefaultValues = true,
        sortOptions = false,
        description = {"Run an ad-hoc mix of devices: counters, radars, ANPR cameras, people counters, camera health.",
            "",
            "Example: fleet --counters 20 --radars 2 --cameras 8 --target mqtt://127.0.0.1:1883 --duration 10m"})
final class FleetCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--counters", paramLabel = "N", defaultValue = "0", description = "Vehicle counters (counter-json).")
    int counters;

    @Option(names = "--radars", paramLabel = "N", defaultValue = "0", description = "Radars, 4 random tracks each (radar-nmea).")
    int radars;

    @Option(names = "--cameras", paramLabel = "N", defaultValue = "0", description = "ANPR cameras (camera-json).")
    int cameras;

    @Option(names = "--people-counters", paramLabel = "N", defaultValue = "0", description = "People counters (camera-json).")
    int peopleCounters;

    @Option(names = "--camera-health", paramLabel = "N", defaultValue = "0", description = "Cameras reporting health (camera-json).")
    int cameraHealth;

    @Option(names = "--target", paramLabel = "URI", defaultValue = "mqtt://127.0.0.1:1883",
            description = "Where every frame goes: mqtt://, tcp://, udp:// or http:// host:port[/path].")
    String target;

    @Option(names = "--every", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
            description = "How often each device reports.")
    Duration every;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long to run.")
    Duration duration;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of every model.")
    long seed;

    @Option(names = "--site", paramLabel = "SITE", defaultValue = "ras-ajdir", description = "The crossing, in MQTT topics.")
    String site;

    @Option(names = "--json", description = "Print the summary as one JSON object on stdout, as the last line.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        CommandLine cmd = spec.commandLine();
        if (counters + radars + cameras + peopleCounters + cameraHealth == 0) {
            throw new CommandLine.ParameterException(cmd, "give at least one of --counters, --radars, --cameras, "
                    + "--people-counters, --camera-health");
        }
        String everyText = every.toMillis() + "ms";
        List<DeviceGroupConfig> groups = new ArrayList<>();
        add(groups, "counter", counters, everyText);
        add(groups, "radar_nmea", radars, everyText);
        add(groups, "anpr_json", cameras, everyText);
        add(groups, "people_counter", peopleCounters, everyText);
        add(groups, "camera_health", cameraHealth, everyText);
        Scenario scenario;
        try {
            scenario = new Scenario("fleet", "ad-hoc fleet", seed, site, duration.toMillis() + "ms", 1.0, null,
                    Map.of("fleet", TargetConfig.parse(target)), groups, List.of());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage(), e);
        }
        return ScenarioReport.execute(scenario, cmd.getOut(), cmd.getErr(), json, null);
    }

    private void add(List<DeviceGroupConfig> groups, String model, int count, String everyText) {
        if (count < 0 || count > 9999) {
            throw new CommandLine.ParameterException(spec.commandLine(), "device counts must be 0..9999, got " + count);
        }
        if (count > 0) {
            groups.add(new DeviceGroupConfig(model, count, null, everyText, "fleet", null, null, null, null, null,
                    null, null, null, null, null, null));
        }
    }
}
