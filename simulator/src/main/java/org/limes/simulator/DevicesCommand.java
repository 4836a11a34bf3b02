package org.limes.simulator;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code limes-simulator devices}: the device models, the formats they speak and what they report. */
@Command(
        name = "devices",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "List the device models a scenario can use, their wire formats (drivers) and what they report.")
final class DevicesCommand implements Callable<Integer> {

    /** One model as listed. */
    record Model(String name, String driver, String kind, String reports) {
    }

    static final List<Model> MODELS = List.of(
            new Model("counter", "counter-json", "vehicle_count",
                    "per-lane counts by class, speed, occupancy; daily profile, queue surges (fault surge)"),
            new Model("counter_csv", "counter-csv", "vehicle_count",
                    "PeMS-style station lines: flow, speed (mph), occupancy per lane"),
            new Model("people_counter", "camera-json", "people_count", "people in/out per hall, daily profile"),
            new Model("camera_health", "camera-json", "device_health",
                    "online, temperature, tamper, video loss, fps"),
            new Model("anpr_json", "camera-json", "anpr_read",
                    "plates of LY/TN/EG/DZ formats with confidence; scripted watchlist plates"),
            new Model("anpr_hikvision", "camera-hikvision", "anpr_read",
                    "the same reads as a Hikvision ISAPI multipart push (for HTTP)"),
            new Model("radar_nmea", "radar-nmea", "radar_track",
                    "TTM+TLL per track: people on foot 1-2 m/s, vehicles 5-30 m/s; a scripted path (intrusion)"),
            new Model("radar_asterix", "radar-asterix", "radar_track",
                    "ASTERIX CAT062 tracks: Cartesian position and velocity"),
            new Model("sapient_radar", "sapient", "radar_track",
                    "SAPIENT (BSI Flex 335 v2.0) radar: registration, status, detections on a scripted path, an alert"));

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-15s %-17s %-14s %s%n", "MODEL", "DRIVER", "KIND", "REPORTS");
        for (Model m : MODELS) {
            out.printf("%-15s %-17s %-14s %s%n", m.name(), m.driver(), m.kind(), m.reports());
        }
        out.println();
        out.println("Transports: mqtt (topic crossing/{site}/{kind}/{device}), tcp (newline or raw framing), udp,"
                + " http (JSON or multipart/form-data).");
        out.println("Faults: silent, surge, out_of_range, stuck, malformed, clock_skew, offline.");
        out.flush();
        return 0;
    }
}
