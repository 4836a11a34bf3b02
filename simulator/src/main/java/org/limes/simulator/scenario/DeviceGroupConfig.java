package org.limes.simulator.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One entry of a scenario's {@code devices:}: {@code count} devices of one model, sending
 * every {@code every} of simulated time to one target.
 *
 * <pre>
 * model           ids            driver            kind           extra keys
 * --------------  -------------  ----------------  -------------  ------------------------------------------
 * counter         cnt-01 …       counter-json      vehicle_count
 * counter_csv     stn-1 …        counter-csv       vehicle_count  lanes (4)
 * people_counter  ppl-01 …       camera-json       people_count
 * camera_health   cam-01 …       camera-json       device_health
 * anpr_json       anpr-01 …      camera-json       anpr_read      plates (watchlist reads)
 * anpr_hikvision  10.20.0.11 …   camera-hikvision  anpr_read      plates
 * radar_nmea      radar-1 …      radar-nmea        radar_track    tracks, range_m, lat, lon, path, path_speed_mps, path_start
 * radar_asterix   radar-1 …      radar-asterix     radar_track    tracks, sac, sic
 * sapient_radar   sapient-radar-1 …  sapient        radar_track    lat, lon, path, path_speed_mps, path_start
 *                 (also device_health and sapient_alert: registration, status, its own alert)
 * </pre>
 *
 * @param model          the device model
 * @param count          how many devices, 1..9999 (radars: each its own device)
 * @param prefix         device id prefix (default per model)
 * @param every          simulated reporting interval, e.g. {@code 1m}
 * @param target         the name of the target in {@code targets:}
 * @param lanes          lanes per counting station
 * @param tracks         radar tracks moving on random straight lines
 * @param rangeM         radar range in metres
 * @param lat            radar latitude
 * @param lon            radar longitude
 * @param sac            ASTERIX system area code
 * @param sic            ASTERIX system identification code
 * @param path           a scripted track's waypoints, metres east/north of the radar
 * @param pathSpeedMps   the scripted track's speed (a person 1..2, a vehicle 5..30)
 * @param pathStart      when (simulated, from the start) the scripted track appears
 * @param plates         scripted ANPR reads (a watchlist plate)
 */
public record DeviceGroupConfig(String model, Integer count, String prefix, String every, String target,
        Integer lanes, Integer tracks, Double rangeM, Double lat, Double lon, Integer sac, Integer sic,
        List<Waypoint> path, Double pathSpeedMps, String pathStart, List<PlateEvent> plates) {

    /** The device models and their default id prefixes. */
    public static final Map<String, String> MODELS = Map.of(
            "counter", "cnt", "counter_csv", "stn", "people_counter", "ppl", "camera_health", "cam",
            "anpr_json", "anpr", "anpr_hikvision", "10.20.0", "radar_nmea", "radar", "radar_asterix", "radar",
            "sapient_radar", "sapient-radar");

    private static final Set<String> RADARS = Set.of("radar_nmea", "radar_asterix");

    /** A point of a scripted radar track, metres east and north of the radar. */
    public record Waypoint(Double xM, Double yM) {
        public Waypoint {
            if (xM == null || yM == null) {
                throw new IllegalArgumentException("x_m and y_m are required");
            }
        }
    }

    /** A scripted read: camera {@code camera} reads {@code plate} at simulated time {@code at}. */
    public record PlateEvent(String at, Integer camera, String plate, String country) {
        public PlateEvent {
            Scenario.durationOf(at);
            camera = camera == null ? 1 : camera;
            if (plate == null || plate.isBlank() || plate.length() > 32) {
                throw new IllegalArgumentException("plate is required, 1..32 characters");
            }
            country = country == null ? "LY" : country;
        }
    }

    public DeviceGroupConfig {
        if (model == null || !MODELS.containsKey(model)) {
            throw new IllegalArgumentException("model must be one of " + new java.util.TreeSet<>(MODELS.keySet())
                    + ", got " + (model == null ? "nothing" : "'" + model + "'"));
        }
        count = count == null ? 1 : count;
        if (count < 1 || count > 9999) {
            throw new IllegalArgumentException("count must be 1..9999, got " + count);
        }
        if ("anpr_hikvision".equals(model) && count > 200) {
            throw new IllegalArgumentException("count must be 1..200 for anpr_hikvision, got " + count);
        }
        prefix = prefix == null ? MODELS.get(model) : prefix;
        if (every == null) {
            throw new IllegalArgumentException("every is required, e.g. 1m");
        }
        if (Scenario.durationOf(every).toMillis() < 1) {
            throw new IllegalArgumentException("every must be at least 1ms, got " + every);
        }
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("target is required: a name from targets");
        }
        lanes = lanes == null ? 4 : lanes;
        if (lanes < 1 || lanes > 16) {
            throw new IllegalArgumentException("lanes must be 1..16, got " + lanes);
        }
        tracks = tracks == null ? (RADARS.contains(model) ? 4 : 0) : tracks;
        if (tracks < 0 || tracks > 999) {
            throw new IllegalArgumentException("tracks must be 0..999, got " + tracks);
        }
        rangeM = rangeM == null ? 5_000.0 : rangeM;
        lat = lat == null ? 32.8843 : lat;
        lon = lon == null ? 11.5563 : lon;
        sac = sac == null ? 1 : sac;
        sic = sic == null ? 1 : sic;
        path = path == null ? List.of() : List.copyOf(path);
        if (!path.isEmpty() && !"radar_nmea".equals(model) && !"sapient_radar".equals(model)) {
            throw new IllegalArgumentException("path applies only to models radar_nmea and sapient_radar");
        }
        if (path.size() == 1) {
            throw new IllegalArgumentException("path needs at least two waypoints");
        }
        pathSpeedMps = pathSpeedMps == null ? 1.5 : pathSpeedMps;
        if (!(pathSpeedMps > 0 && pathSpeedMps <= 60)) {
            throw new IllegalArgumentException("path_speed_mps must be above 0 and at most 60, got " + pathSpeedMps);
        }
        pathStart = pathStart == null ? "0s" : pathStart;
        Scenario.durationOf(pathStart);
        plates = plates == null ? List.of() : List.copyOf(plates);
        if (!plates.isEmpty() && !model.startsWith("anpr")) {
            throw new IllegalArgumentException("plates applies only to the anpr models");
        }
        if (tracks == 0 && RADARS.contains(model) && path.isEmpty()) {
            throw new IllegalArgumentException("a radar needs tracks above 0 or a path");
        }
    }

    /** The simulated reporting interval. */
    public Duration interval() {
        return Scenario.durationOf(every);
    }

    /** The id of device {@code i} (1-based). */
    public String deviceId(int i) {
        return switch (model) {
            case "anpr_hikvision" -> prefix + "." + (10 + i);
            case "counter_csv", "radar_nmea", "radar_asterix", "sapient_radar" -> prefix + "-" + i;
            default -> prefix + "-" + String.format("%0" + Math.max(2, Integer.toString(count).length()) + "d", i);
        };
    }

    /** Every device id of the group. */
    public List<String> deviceIds() {
        List<String> ids = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            ids.add(deviceId(i));
        }
        return ids;
    }
}
