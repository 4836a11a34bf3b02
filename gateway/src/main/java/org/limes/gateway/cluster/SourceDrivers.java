package org.limes.gateway.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Frame;
import org.limes.drivers.sapient.SapientDriver;
import org.limes.gateway.source.DeviceDrivers;
import org.limes.gateway.source.SourceConfig;
import org.limes.gateway.source.http.HttpSourceConfig;
import org.limes.gateway.source.mqtt.MqttSourceConfig;
import org.limes.gateway.source.mqtt.TopicFilter;
import org.limes.gateway.source.tcp.SapientSourceConfig;
import org.limes.gateway.source.tcp.TcpSourceConfig;
import org.limes.gateway.source.udp.UdpSourceConfig;

/**
 * The driver a {@link FrameRecord} is decoded with on the rules' owner: the one the source that
 * admitted the frame used, built from this instance's configuration of that source (every
 * instance of a crossing has the same), so a driver's options — a sensor's position, a line
 * protocol's device tag, an NMEA radar's device — decode alike in both modes.
 *
 * <table>
 *   <caption>how each source type chose its driver, and what in the record says so</caption>
 *   <tr><th>source</th><th>the source's choice</th><th>from the record</th></tr>
 *   <tr><td>mqtt</td><td>the first {@code topics[]} filter matching the topic</td><td>origin = the topic</td></tr>
 *   <tr><td>http</td><td>{@code drivers[]} by name ({@code /ingest/<driver>})</td><td>driver</td></tr>
 *   <tr><td>tcp, udp</td><td>{@code driver} + {@code options}; with a {@code device} option when the peer
 *       was identified (certificate, {@code devices_by_peer})</td><td>origin = {@code device@ip} or {@code ip}</td></tr>
 *   <tr><td>sapient</td><td>the registered node's options, else none</td><td>origin = {@code device@ip}</td></tr>
 * </table>
 *
 * <p>A record this configuration cannot place — a source it lacks, or a driver that source does
 * not use for that origin (instances configured differently) — is refused with an
 * {@link Unresolved} naming the reason, never decoded with guessed options.
 *
 * <p>Bounded: drivers are created from the configuration at construction; the only ones made
 * later are tcp/udp drivers per identified device, and a device is taken only when the source's
 * {@code devices_by_peer} names it or it is the record's authenticated identity (a certificate
 * the inventory knows), at most {@value #MAX_DEVICE_DRIVERS} in all, beyond which such frames are
 * refused ({@code device_drivers_full}).
 *
 * <p>Threading: one instance per rules task (a Streams thread); not thread-safe.
 */
final class SourceDrivers {

    static final int MAX_DEVICE_DRIVERS = 10_000;

    /** Why a record's driver cannot be resolved; {@link #type} is the error type counted. */
    static final class Unresolved extends Exception {
        private final String type;

        Unresolved(String type, String message) {
            super(message, null, false, false);
            this.type = type;
        }

        String type() {
            return type;
        }
    }

    private interface Resolver {
        Driver resolve(String driver, Frame frame) throws Unresolved;
    }

    private final Map<String, Resolver> bySource = new HashMap<>();
    private int deviceDrivers;

    SourceDrivers(List<SourceConfig> sources, Drivers drivers) {
        for (SourceConfig s : sources) {
            bySource.put(s.name(), resolver(s, drivers));
        }
    }

    /**
     * The driver of {@code record}'s source for its driver and origin.
     *
     * @throws Unresolved {@code unknown_source}, {@code unknown_driver} or {@code device_drivers_full}
     */
    Driver resolve(FrameRecord record) throws Unresolved {
        Frame frame = record.frame();
        Resolver r = bySource.get(frame.source());
        if (r == null) {
            throw new Unresolved("unknown_source", "frame record names source '" + shorten(frame.source())
                    + "', which this instance's config does not have (are the instances configured alike?)");
        }
        return r.resolve(record.driver(), frame);
    }

    private Resolver resolver(SourceConfig s, Drivers drivers) {
        if (s instanceof MqttSourceConfig m) {
            List<TopicFilter> filters = m.topics().stream().map(t -> new TopicFilter(t.filter())).toList();
            List<Driver> routes = m.topics().stream()
                    .map(t -> drivers.create(t.driver(), DriverOptions.of(t.options()))).toList();
            return (driver, frame) -> {
                for (int i = 0; i < filters.size(); i++) {
                    if (filters.get(i).matches(frame.origin())) {
                        if (!m.topics().get(i).driver().equals(driver)) {
                            throw mismatch(s, driver, "topic " + frame.origin() + " goes to driver "
                                    + m.topics().get(i).driver());
                        }
                        return routes.get(i);
                    }
                }
                throw mismatch(s, driver, "no topics[] filter matches " + frame.origin());
            };
        }
        if (s instanceof HttpSourceConfig h) {
            Map<String, Driver> byName = new HashMap<>();
            for (HttpSourceConfig.DriverRoute r : h.drivers()) {
                byName.put(r.driver(), drivers.create(r.driver(), DriverOptions.of(r.options())));
            }
            return (driver, frame) -> {
                Driver d = byName.get(driver);
                if (d == null) {
                    throw mismatch(s, driver, "its drivers are " + byName.keySet());
                }
                return d;
            };
        }
        if (s instanceof SapientSourceConfig sp) {
            Map<String, Driver> byDevice = new HashMap<>();
            for (SapientSourceConfig.Node n : sp.byNode().values()) {
                byDevice.put(n.device(), drivers.create(SapientDriver.NAME, DriverOptions.of(n.options())));
            }
            Driver plain = drivers.create(SapientDriver.NAME, DriverOptions.empty());
            return (driver, frame) -> {
                if (!SapientDriver.NAME.equals(driver)) {
                    throw mismatch(s, driver, "it uses " + SapientDriver.NAME);
                }
                String device = originDevice(frame.origin());
                return device == null ? plain : byDevice.getOrDefault(device, plain);
            };
        }
        if (s instanceof TcpSourceConfig t) {
            return listener(s, drivers, t.driver(), t.options(), Set.copyOf(t.peerDevices().devices()));
        }
        if (s instanceof UdpSourceConfig u) {
            return listener(s, drivers, u.driver(), u.options(), Set.copyOf(u.peerDevices().devices()));
        }
        throw new IllegalStateException("source type of " + s.name() + " has no driver resolution in cluster mode");
    }

    /** A tcp or udp source: its driver, per device when the source identified the peer. */
    private Resolver listener(SourceConfig s, Drivers drivers, String name, Map<String, String> options,
            Set<String> peerDevices) {
        DeviceDrivers byDevice = new DeviceDrivers(drivers, name, options);
        return (driver, frame) -> {
            if (!name.equals(driver)) {
                throw mismatch(s, driver, "it uses " + name);
            }
            String device = originDevice(frame.origin());
            if (device == null) {
                return byDevice.plain();
            }
            if (!peerDevices.contains(device) && !device.equals(frame.identity())) {
                throw mismatch(s, driver, "its devices_by_peer do not name device " + shorten(device)
                        + " and the record carries no such identity");
            }
            if (!byDevice.hasDriverFor(device)) {
                if (deviceDrivers >= MAX_DEVICE_DRIVERS) {
                    throw new Unresolved("device_drivers_full", "already " + MAX_DEVICE_DRIVERS
                            + " per-device drivers; device " + shorten(device) + " is refused");
                }
                deviceDrivers++;
            }
            return byDevice.forDevice(device);
        };
    }

    /** The device a listener put before the peer's address ({@code device@ip}), or null. */
    static String originDevice(String origin) {
        int at = origin == null ? -1 : origin.lastIndexOf('@');
        return at <= 0 ? null : origin.substring(0, at);
    }

    private static Unresolved mismatch(SourceConfig s, String driver, String why) {
        return new Unresolved("unknown_driver", "frame record of source " + s.name() + " names driver '"
                + shorten(driver) + "', which that source here does not use for it (" + why
                + "; are the instances configured alike?)");
    }

    private static String shorten(String s) {
        return s == null ? "null" : s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
