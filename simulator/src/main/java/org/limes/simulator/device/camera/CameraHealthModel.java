package org.limes.simulator.device.camera;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.limes.drivers.Driver;
import org.limes.drivers.DriverOptions;
import org.limes.drivers.Drivers;
import org.limes.drivers.Reading;

/**
 * Simulated camera health reports ({@code device_health} in {@code camera-json}), one per
 * camera per call.
 *
 * <pre>
 * online         false 1 % of reports (then nothing else is reported)
 * temperature_c  30..40 at 03:00 UTC rising to 45..55 at 15:00 (desert sun), to a tenth
 * tamper         true 0.5 % of reports
 * video_loss     true 1 % of reports; fps is then 0
 * fps            24.0..25.0 to a tenth
 * </pre>
 *
 * <p>Camera {@code i} (1-based) is {@code <prefix>-NN}. Deterministic and stateless: a
 * report is a pure function of the seed, the camera and the time. Immutable and safe to
 * call from any number of threads.
 */
public final class CameraHealthModel {

    private final long seed;
    private final String devicePrefix;
    private final int cameras;
    private final Driver driver;

    /**
     * @param seed         the seed every report derives from
     * @param devicePrefix the device id prefix, e.g. {@code cam}
     * @param cameras      how many cameras, at least 1
     */
    public CameraHealthModel(long seed, String devicePrefix, int cameras) {
        if (devicePrefix == null || devicePrefix.isBlank()) {
            throw new IllegalArgumentException("devicePrefix must not be blank");
        }
        if (cameras < 1) {
            throw new IllegalArgumentException("cameras must be at least 1, got " + cameras);
        }
        this.seed = seed;
        this.devicePrefix = devicePrefix;
        this.cameras = cameras;
        this.driver = Drivers.load().create("camera-json", DriverOptions.empty());
    }

    public String deviceId(int index) {
        checkIndex(index);
        return devicePrefix + "-" + String.format("%02d", index);
    }

    /** The health camera {@code index} reports at {@code time} (also the receive time). */
    public Reading next(int index, Instant time) {
        checkIndex(index);
        Objects.requireNonNull(time, "time");
        SplittableRandom random = new SplittableRandom(AnprCameraModel.mix(seed ^ 0x4845414C5448L, index, time));
        TreeMap<String, Object> fields = new TreeMap<>();
        if (random.nextDouble() < 0.01) {
            fields.put("online", false);
            return new Reading(deviceId(index), "", "device_health", Map.of(), fields, time, time);
        }
        double hour = time.atOffset(ZoneOffset.UTC).getHour() + time.atOffset(ZoneOffset.UTC).getMinute() / 60.0;
        double base = 42.5 + 7.5 * Math.sin(2 * Math.PI * (hour - 9) / 24);
        boolean videoLoss = random.nextDouble() < 0.01;
        fields.put("online", true);
        fields.put("temperature_c", tenths(base + random.nextDouble(-2.5, 2.5)));
        fields.put("tamper", random.nextDouble() < 0.005);
        fields.put("video_loss", videoLoss);
        fields.put("fps", videoLoss ? 0.0 : tenths(random.nextDouble(24, 25)));
        return new Reading(deviceId(index), "", "device_health", Map.of(), fields, time, time);
    }

    /** The {@code camera-json} line camera {@code index} sends at {@code time}, without terminator. */
    public byte[] frame(int index, Instant time) {
        return driver.encode(next(index, time));
    }

    private static double tenths(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private void checkIndex(int index) {
        if (index < 1 || index > cameras) {
            throw new IllegalArgumentException("camera index must be 1.." + cameras + ", got " + index);
        }
    }
}
