package org.limes.simulator.scenario;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Reading;
import org.limes.drivers.counter.csv.CsvCounterDriver;
import org.limes.drivers.radar.nmea.NmeaRadarDriver;
import org.limes.simulator.device.camera.AnprCameraModel;
import org.limes.simulator.device.camera.CameraHealthModel;
import org.limes.simulator.device.camera.PeopleCounterModel;
import org.limes.simulator.device.counter.CounterModel;
import org.limes.simulator.device.counter.CsvCounterStationModel;
import org.limes.simulator.device.radar.AsterixRadarModel;
import org.limes.simulator.device.sapient.SapientSensorModel;
import org.limes.simulator.device.radar.NmeaRadarModel;
import org.limes.simulator.device.radar.RadarPathTrack;

/**
 * The devices of one {@link DeviceGroupConfig}: asks the group's model for each device's
 * readings at a simulated instant and encodes readings into the frame the device sends,
 * through the group's driver (one reading per frame, except a radar scan and a counting
 * station line, which hold several).
 *
 * <p>Deterministic: the readings are a pure function of the scenario seed, the group, the
 * device and the simulated time. Used by one thread (the scenario runner's).
 */
final class DeviceGroup {

    /** The readings one device reports at one instant, and the kind that names its topic. */
    record DeviceReadings(String device, String kind, List<Reading> readings) {
    }

    private final DeviceGroupConfig config;
    private final String kind;
    private final Driver driver;
    private final CounterModel counters;
    private final CsvCounterStationModel stations;
    private final CsvCounterDriver csv;
    private final PeopleCounterModel people;
    private final CameraHealthModel health;
    private final AnprCameraModel anpr;
    private final List<NmeaRadarModel> nmeaRadars = new ArrayList<>();
    private final List<NmeaRadarDriver> nmeaDrivers = new ArrayList<>();
    private final List<RadarPathTrack> paths = new ArrayList<>();
    private final List<AsterixRadarModel> asterixRadars = new ArrayList<>();
    private final List<SapientSensorModel> sapientSensors = new ArrayList<>();
    private final Map<Instant, List<DeviceGroupConfig.PlateEvent>> plates = new TreeMap<>();

    DeviceGroup(DeviceGroupConfig config, long seed, Instant start, Drivers drivers) {
        this.config = config;
        int n = config.count();
        long intervalS = Math.max(1, config.interval().toSeconds());
        this.counters = "counter".equals(config.model()) ? new CounterModel(seed, config.prefix(), n) : null;
        this.stations = "counter_csv".equals(config.model())
                ? new CsvCounterStationModel(seed, config.prefix(), n, config.lanes(), ZoneOffset.UTC, intervalS) : null;
        this.csv = stations == null ? null : new CsvCounterDriver(ZoneOffset.UTC, intervalS, "inbound");
        this.people = "people_counter".equals(config.model())
                ? new PeopleCounterModel(seed, config.prefix(), n, intervalS) : null;
        this.health = "camera_health".equals(config.model()) ? new CameraHealthModel(seed, config.prefix(), n) : null;
        this.anpr = switch (config.model()) {
            case "anpr_json" -> new AnprCameraModel(seed, config.prefix(), n, AnprCameraModel.Wire.CAMERA_JSON);
            case "anpr_hikvision" -> new AnprCameraModel(seed, config.prefix(), n, AnprCameraModel.Wire.HIKVISION);
            default -> null;
        };
        for (int i = 1; i <= n; i++) {
            String id = config.deviceId(i);
            if ("radar_nmea".equals(config.model())) {
                nmeaRadars.add(config.tracks() == 0 ? null : new NmeaRadarModel(seed + i, id, config.tracks(),
                        config.rangeM(), config.lat(), config.lon(), start));
                nmeaDrivers.add(new NmeaRadarDriver(id, true));
                if (!config.path().isEmpty()) {
                    List<double[]> points = config.path().stream().map(w -> new double[] {w.xM(), w.yM()}).toList();
                    paths.add(new RadarPathTrack(id, 900, points, config.pathSpeedMps(),
                            start.plus(Scenario.durationOf(config.pathStart())), config.lat(), config.lon()));
                }
            } else if ("sapient_radar".equals(config.model())) {
                Instant appears = start.plus(Scenario.durationOf(config.pathStart()));
                RadarPathTrack intruder = config.path().isEmpty() ? null : new RadarPathTrack(id, 900,
                        config.path().stream().map(w -> new double[] {w.xM(), w.yM()}).toList(), config.pathSpeedMps(),
                        appears, config.lat(), config.lon());
                sapientSensors.add(new SapientSensorModel(id, config.lat(), config.lon(), intruder, appears));
            } else if ("radar_asterix".equals(config.model())) {
                asterixRadars.add(new AsterixRadarModel(seed + i, id, config.tracks(), config.sac(), config.sic(), start));
            }
        }
        for (DeviceGroupConfig.PlateEvent p : config.plates()) {
            plates.computeIfAbsent(start.plus(Scenario.durationOf(p.at())), t -> new ArrayList<>()).add(p);
        }
        this.kind = switch (config.model()) {
            case "counter", "counter_csv" -> "vehicle_count";
            case "people_counter" -> "people_count";
            case "camera_health" -> "device_health";
            case "anpr_json", "anpr_hikvision" -> "anpr_read";
            default -> "radar_track";
        };
        this.driver = switch (config.model()) {
            case "counter" -> drivers.create("counter-json", DriverOptions.empty());
            case "people_counter", "camera_health", "anpr_json" -> drivers.create("camera-json", DriverOptions.empty());
            case "anpr_hikvision" -> drivers.create("camera-hikvision", DriverOptions.empty());
            case "radar_asterix" -> drivers.create("radar-asterix", DriverOptions.of(Map.of("device",
                    config.deviceId(1))));
            default -> null;
        };
    }

    DeviceGroupConfig config() {
        return config;
    }

    /** The reading kind the group reports. */
    String kind() {
        return kind;
    }

    /** The driver name the gateway decodes the group's frames with. */
    String driverName() {
        return switch (config.model()) {
            case "counter" -> "counter-json";
            case "counter_csv" -> "counter-csv";
            case "anpr_hikvision" -> "camera-hikvision";
            case "radar_nmea" -> "radar-nmea";
            case "radar_asterix" -> "radar-asterix";
            case "sapient_radar" -> "sapient";
            default -> "camera-json";
        };
    }

    /**
     * Every device's readings at {@code time}; {@code surging} says which devices have a
     * queue surge under way. Scripted plates due since {@code previous} are read now.
     */
    List<DeviceReadings> tick(Instant previous, Instant time, java.util.function.Predicate<String> surging) {
        List<DeviceReadings> out = new ArrayList<>(config.count());
        List<DeviceGroupConfig.PlateEvent> due = new ArrayList<>();
        plates.forEach((at, events) -> {
            if (at.isAfter(previous) && !at.isAfter(time)) {
                due.addAll(events);
            }
        });
        for (int i = 1; i <= config.count(); i++) {
            String id = config.deviceId(i);
            List<Reading> readings = switch (config.model()) {
                case "counter" -> List.of(counters.next(i, time, surging.test(id)));
                case "counter_csv" -> stations.readings(i, time);
                case "people_counter" -> List.of(people.next(i, time));
                case "camera_health" -> List.of(health.next(i, time));
                case "anpr_json", "anpr_hikvision" -> List.of(plate(i, id, anpr.next(i, time), due));
                case "radar_nmea" -> radarScan(i, time);
                case "sapient_radar" -> sapientSensors.get(i - 1).readings(time);
                default -> asterixRadars.get(i - 1).readings(time);
            };
            if (!readings.isEmpty()) {
                out.add(new DeviceReadings(id, kind, readings));
            }
        }
        return out;
    }

    /** The frame a device sends for its readings. */
    byte[] encode(String device, List<Reading> readings) {
        switch (config.model()) {
            case "counter_csv" -> {
                return csv.encodeStation(readings);
            }
            case "radar_nmea" -> {
                NmeaRadarDriver nmea = nmeaDrivers.get(indexOf(device) - 1);
                ByteArrayOutputStream out = new ByteArrayOutputStream(96 * readings.size());
                for (Reading r : readings) {
                    out.writeBytes(nmea.encode(r));
                    out.write('\r');
                    out.write('\n');
                }
                return out.toByteArray();
            }
            case "sapient_radar" -> {
                return sapientSensors.get(indexOf(device) - 1).frame(readings);
            }
            case "radar_asterix" -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(64 * readings.size());
                readings.forEach(r -> out.writeBytes(driver.encode(r)));
                return out.toByteArray();
            }
            default -> {
                return driver.encode(readings.get(0));
            }
        }
    }

    private int indexOf(String device) {
        for (int i = 1; i <= config.count(); i++) {
            if (config.deviceId(i).equals(device)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no device " + device + " in this group");
    }

    private List<Reading> radarScan(int i, Instant time) {
        List<Reading> scan = new ArrayList<>();
        NmeaRadarModel model = nmeaRadars.get(i - 1);
        if (model != null) {
            scan.addAll(model.scan(time));
        }
        if (!paths.isEmpty()) {
            scan.addAll(paths.get(i - 1).readings(time));
        }
        return scan;
    }

    private Reading plate(int index, String id, Reading read, List<DeviceGroupConfig.PlateEvent> due) {
        Reading r = read.deviceId().equals(id) ? read
                : new Reading(id, "", read.kind(), read.tags(), read.fields(), read.deviceTime(), read.receivedAt());
        for (DeviceGroupConfig.PlateEvent p : due) {
            if (p.camera() == index) {
                TreeMap<String, Object> fields = new TreeMap<>(r.fields());
                fields.put("plate", p.plate());
                fields.put("confidence_pct", 97.5);
                TreeMap<String, String> tags = new TreeMap<>(r.tags());
                tags.put("country", p.country());
                return new Reading(id, "", r.kind(), tags, fields, r.deviceTime(), r.receivedAt());
            }
        }
        return r;
    }

    /** How long a tick's worth of work spans in simulated time. */
    Duration interval() {
        return config.interval();
    }
}
